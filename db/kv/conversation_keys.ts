/**
 * The Deno KV keys of conversations (db/conversation_store.ts), beside those of kv_store.ts:
 * - `["reaction_summaries", messageId]` → ReactionSummary: each emoji's count and when it
 *   appeared, in one value, so a page's reactions are one `getMany` and the distinct cap is
 *   checked in the commit (every reaction commit of a message rewrites it: its versionstamp
 *   check orders them, and also covers the message's reactor keys below)
 * - `["message_reactors", messageId, userId]` → [emoji, atMs][]: the user's reactions on the
 *   message (whether they have one, and `me`, in the same `getMany` as the summary)
 * - `["reaction_order", messageId, emoji, atMs, userId]` → true: one key per reaction, in the
 *   order they were made (who reacted, paged)
 * - `["channel_reactions", channelId, messageId]` → true: the channel's messages that have
 *   reactions (a channel's purge finds their keys through it)
 * - `["pins", channelId, messageId]` → PinRecord (a channel's pins are one prefix scan);
 *   `["message_pins", messageId]` → true (which of a page's messages are pinned: one `getMany`)
 * - `["message_changes", channelId, atMs, messageId]` → { deleted }: the change log, ONE entry
 *   per message at its latest change (a change moves it), so a resume scans each changed
 *   message once however often it changed; `["message_change_at", messageId]` → atMs says
 *   where it is. Both expire after MESSAGE_CHANGES_TTL_MS.
 * - `["emojis", serverId, emojiId]` → StoredEmoji; `["emoji_names", serverId, name]` → emojiId
 *   (uniqueness); `["emoji_ids", emojiId]` → serverId; the image in
 *   `["emoji_chunks", emojiId, emojiId, i]` (db/kv/chunks.ts, the id as the version)
 *
 * A deleted message's summary, pin and change entry go in the deleting commit; its reactor and
 * order keys (any number) are unreachable from then on (reads go through the summary) and
 * purged after (db/kv/purge.ts, kind "reactions").
 */
import type { EmojiRecord } from "../conversation_store.ts";
import type { ChunkedMeta } from "./chunks.ts";

/** One emoji's reactions on a message. */
export interface EmojiCount {
  emoji: string;
  count: number;
  /** When it appeared (ms): it keeps its place while it has reactions. */
  firstAt: number;
}

/** A message's reactions, one entry per emoji that has any. */
export type ReactionSummary = EmojiCount[];

/** What a user reacted with on one message, and when (ms). */
export type Reactions = [emoji: string, atMs: number][];

/** A custom emoji as stored: its record and where its image is. */
export type StoredEmoji = EmojiRecord & { image: ChunkedMeta };

export const summaryKeyOf = (messageId: string): Deno.KvKey => ["reaction_summaries", messageId];
export const reactorKeyOf = (messageId: string, userId: string): Deno.KvKey => [
  "message_reactors",
  messageId,
  userId,
];
export const reactionOrderKeyOf = (
  messageId: string,
  emoji: string,
  atMs: number,
  userId: string,
): Deno.KvKey => ["reaction_order", messageId, emoji, atMs, userId];
export const channelReactionsKeyOf = (channelId: string, messageId: string): Deno.KvKey => [
  "channel_reactions",
  channelId,
  messageId,
];
export const pinKeyOf = (channelId: string, messageId: string): Deno.KvKey => [
  "pins",
  channelId,
  messageId,
];
export const messagePinKeyOf = (messageId: string): Deno.KvKey => ["message_pins", messageId];
export const changeKeyOf = (channelId: string, atMs: number, messageId: string): Deno.KvKey => [
  "message_changes",
  channelId,
  atMs,
  messageId,
];
export const changeAtKeyOf = (messageId: string): Deno.KvKey => ["message_change_at", messageId];
export const emojiKeyOf = (serverId: string, emojiId: string): Deno.KvKey => [
  "emojis",
  serverId,
  emojiId,
];
export const emojiNameKeyOf = (serverId: string, name: string): Deno.KvKey => [
  "emoji_names",
  serverId,
  name,
];
export const emojiIdKeyOf = (emojiId: string): Deno.KvKey => ["emoji_ids", emojiId];
export const emojiChunksOf = (emojiId: string): Deno.KvKey => ["emoji_chunks", emojiId];
/** Where a message's id points: its channel and seq. */
export const messageIdKeyOf = (messageId: string): Deno.KvKey => ["message_ids", messageId];

export type MessageAddress = [channelId: string, seq: number];
