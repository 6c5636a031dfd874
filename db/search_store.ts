/**
 * The storage side of search (API.md "Search"): messages matching typed criteria, newest first,
 * within a set of channels the caller may read (lib/search/search_service.ts decides which,
 * once per search: the stores never check permissions and never look outside `channels`).
 *
 * Both stores keep their index in the same commit as every message write (send, edit,
 * deletion, a channel's or server's deletion), so a change shows in results at once:
 * - PostgreSQL: a `tsvector` of the folded text (unaccent, the `simple` configuration: no
 *   language assumed) under a GIN index, and a trigram index for CJK terms
 *   (db/migrations/010_search.sql, db/postgres/search.ts);
 * - Deno KV: term → message keys written with each message (db/kv/search_keys.ts,
 *   db/kv/search_index.ts).
 *
 * "Newest first" is descending message id: ids are UUIDv7, so id order is send order, and the
 * cursor is the last id of a page.
 */
import type { MessageAttachment } from "./attachment_store.ts";
import type { MessageRecord } from "./store.ts";

/**
 * The content types `has:image` means: the images Salon shows inline. A copy of lib/images.ts
 * IMAGE_TYPES (db/ does not import lib/; tests/search_store_contract.ts asserts they are equal).
 */
export const INLINE_IMAGE_TYPES: readonly string[] = [
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/gif",
];

/** True if one of the attachments is an inline image (`has:image`). */
export function hasInlineImage(attachments: readonly MessageAttachment[] | undefined): boolean {
  return (attachments ?? []).some((a) => INLINE_IMAGE_TYPES.includes(a.contentType));
}

/** A word or a phrase: its tokens (lib/search/text.ts) must appear contiguously, in order. */
export interface SearchTerm {
  /** As the user wrote it (PostgreSQL folds it in SQL, the same way it folds messages). */
  text: string;
  /** Its tokens, folded; never empty. */
  tokens: string[];
}

/** A channel in the search's scope, with its server (the KV index is keyed by server). */
export interface SearchChannel {
  channelId: string;
  serverId: string;
}

/** What a search matches: every field narrows it (lists are "any of"). */
export interface SearchCriteria {
  /** The channels searched: exactly those the caller may read (never empty). */
  channels: SearchChannel[];
  /** Words and phrases that must all appear. */
  required: SearchTerm[];
  /** Words and phrases none of which may appear. */
  excluded: SearchTerm[];
  /** `from:`: the author is one of these users (null: anyone). */
  authorIds: string[] | null;
  /** `mentions:`: the message mentions one of these users (null: no condition). */
  mentionIds: string[] | null;
  /** `has:link`. */
  hasLink: boolean;
  /** `has:file`: at least one attachment (absent: no condition). */
  hasFile?: boolean;
  /** `has:image`: at least one attachment of an INLINE_IMAGE_TYPES type (absent: no condition). */
  hasImage?: boolean;
  /** `is:pinned`. */
  pinned: boolean;
  /** Sent strictly before this time (null: no bound). */
  before: Date | null;
  /** Sent at or after this time (null: no bound). */
  after: Date | null;
  /** Only messages with ids below this one (the previous page's last id). */
  beforeId: string | null;
  /** At most this many messages are returned. */
  limit: number;
}

export interface SearchStore {
  /**
   * The newest `limit` messages that match, newest first (by descending id). Deleted messages
   * are never returned; edited ones match by their current content.
   */
  searchMessages(criteria: SearchCriteria): Promise<MessageRecord[]>;
}
