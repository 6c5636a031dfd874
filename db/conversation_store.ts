/**
 * The storage side of conversations (API.md "Conversations"): reactions, pins, custom emoji,
 * bulk reads for history pages, and the change log that lets a client that was away converge.
 *
 * History pages are decorated in a constant number of round trips: `findMessages` (the replied-to
 * messages of a page), `reactionsOf` and `pinsOf` each take every id of the page at once.
 *
 * The change log: every edit, deletion, reaction change and pin change of a message is recorded
 * (channel, message, time) in the same commit as the change, so `changedSince` can list the
 * messages of a channel that changed after a time. A resuming client names the last time it was
 * in sync; the server sends the current state of each such message (or its deletion). Entries
 * older than MESSAGE_CHANGES_TTL_MS may be pruned (a client away longer reloads its page).
 */
import type { AuditEntryRecord } from "./governance_store.ts";
import type { MessageRecord } from "./store.ts";
import type { StoredImage } from "./blob_moves.ts";

/** One emoji's reactions on one message, for one reader. */
export interface ReactionCount {
  /** The canonical form (lib decides it: Unicode without U+FE0F, or `:name:`). */
  emoji: string;
  count: number;
  /** True if the reader is among them. */
  me: boolean;
}

/** A pinned message of a channel. */
export interface PinRecord {
  channelId: string;
  messageId: string;
  pinnedBy: string;
  pinnedAt: Date;
}

/** A custom emoji of a server. */
export interface EmojiRecord {
  id: string;
  serverId: string;
  /** `[a-z0-9_]{2,32}`, unique in the server. */
  name: string;
  contentType: string;
  createdBy: string;
  createdAt: Date;
}

/** A message of a channel that changed after a time (`deleted`: it no longer exists). */
export interface MessageChange {
  messageId: string;
  deleted: boolean;
}

/** Thrown by `addReaction` when the message already has MESSAGE_REACTIONS_MAX distinct emoji. */
export class TooManyReactionsError extends Error {
  constructor(messageId: string) {
    super(`Message ${messageId} has the most distinct reactions it may have`);
    this.name = "TooManyReactionsError";
  }
}

/** Thrown by `createEmoji` when the server already has an emoji of that name. */
export class EmojiNameTakenError extends Error {
  constructor(name: string) {
    super(`Emoji :${name}: already exists`);
    this.name = "EmojiNameTakenError";
  }
}

export interface ConversationStore {
  /** Messages by id, in no particular order; unknown (or deleted) ids are skipped. */
  findMessages(ids: string[]): Promise<MessageRecord[]>;

  /**
   * Adds the user's reaction (one commit with its change-log entry); false if they had it
   * already (nothing written). A new emoji on a message that has `maxDistinct` distinct ones
   * throws TooManyReactionsError. Null if the message does not exist.
   */
  addReaction(
    messageId: string,
    emoji: string,
    userId: string,
    at: Date,
    maxDistinct: number,
  ): Promise<boolean | null>;
  /** Removes the user's reaction (with its change-log entry); false if there was none. */
  removeReaction(messageId: string, emoji: string, userId: string, at: Date): Promise<boolean>;
  /**
   * Per message id: its reactions (emoji in the order they were first added), with `me` for
   * `readerId`. One round trip for the whole page (ids without reactions are absent).
   */
  reactionsOf(messageIds: string[], readerId: string): Promise<Map<string, ReactionCount[]>>;
  /** Who reacted with `emoji`, in the order they did, after user `after` (exclusive), ≤ limit. */
  listReactionUsers(
    messageId: string,
    emoji: string,
    after: string | undefined,
    limit: number,
  ): Promise<string[]>;

  /** Pins (with its audit entry and change-log entry, one commit); false if already pinned. */
  pinMessage(pin: PinRecord, audit: AuditEntryRecord | null): Promise<boolean>;
  /** Unpins (with audit and change-log entries); false if it was not pinned. */
  unpinMessage(
    channelId: string,
    messageId: string,
    at: Date,
    audit: AuditEntryRecord | null,
  ): Promise<boolean>;
  /** The channel's pins, newest first (no cap). Pins of deleted messages are gone. */
  listPins(channelId: string): Promise<PinRecord[]>;
  /** Which of these message ids are pinned. One round trip. */
  pinsOf(messageIds: string[]): Promise<Set<string>>;

  /**
   * The messages of the channel changed (edited, deleted, reacted to, pinned or unpinned)
   * at or after `since`, each once, ordered by its latest change (oldest first), at most `limit`.
   */
  changedSince(channelId: string, since: Date, limit: number): Promise<MessageChange[]>;

  /** Stores a custom emoji with its image; EmojiNameTakenError on a taken name. */
  createEmoji(
    emoji: EmojiRecord,
    bytes: Uint8Array,
    audit: AuditEntryRecord | null,
  ): Promise<void>;
  /** The server's emoji, oldest first. */
  listEmojis(serverId: string): Promise<EmojiRecord[]>;
  findEmojiImage(emojiId: string): Promise<{ emoji: EmojiRecord; bytes: Uint8Array } | null>;
  /** The emoji with its image as a stream (served from the blob store as it is sent). */
  openEmojiImage(emojiId: string): Promise<{ emoji: EmojiRecord; image: StoredImage } | null>;
  /** False if there was none. */
  deleteEmoji(serverId: string, emojiId: string, audit: AuditEntryRecord | null): Promise<boolean>;
}
