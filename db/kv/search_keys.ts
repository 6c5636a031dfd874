/**
 * The Deno KV search index: `["search", serverId, term, messageId]` → [channelId, seq], the
 * message's address. Per server, so a search lists only the servers it covers; by term, so it
 * reads only entries that can match; by message id (UUIDv7: send order), so a reverse list is
 * newest first and a page's last id is the next page's bound.
 *
 * Terms are the message's distinct tokens (lib/search/text.ts: folded words, CJK bigrams, URL
 * parts) and a few filter terms no token can look like (tokens have no `:`): `in:<channelId>`
 * (every message: a search with no word lists its channels' messages from there),
 * `mentions:<id>`, `has:link`, `has:file` and `has:image` (an attachment, an inline image one:
attachments are fixed at send, so an edit never changes these two). `from:` needs no term: db/kv/author_messages.ts already
 * lists each author's messages by id with their addresses, in the same commits. Filter terms come first, then at most
 * SEARCH_TERMS_PER_MESSAGE_MAX tokens in the order they appear.
 *
 * Every write of a message writes or deletes its keys in the same atomic commit (kv_store.ts:
 * both append paths, the edit, the deletion); a deleted channel's keys go with its purge
 * (db/kv/purge.ts) and a deleted server's by prefix, gated meanwhile by the channel record:
 * searches only name channels that exist.
 */
import { SEARCH_TERMS_PER_MESSAGE_MAX } from "../../lib/limits.ts";
import { hasLink, tokenize } from "../../lib/search/text.ts";
import { hasInlineImage } from "../search_store.ts";
import type { MessageRecord } from "../store.ts";

/** Where a message is: `["messages", channelId, seq]`. */
export type SearchAddress = [channelId: string, seq: number];

export const LINK_TERM = "has:link";
/**
 * `has:file` and `has:image`: written with the message from its attachments. Messages sent with
 * attachments before these terms existed (the short time between attachments and this) are not
 * on their lists and are missed: acceptable for those few (the backfill, run once per database
 * before any attachment existed, is not run again).
 */
export const FILE_TERM = "has:file";
export const IMAGE_TERM = "has:image";
export const channelTerm = (channelId: string): string => `in:${channelId}`;
export const mentionTerm = (userId: string): string => `mentions:${userId}`;

/** The list of one term's entries in one server. */
export function termPrefix(serverId: string, term: string): Deno.KvKey {
  return ["search", serverId, term];
}

/** Every entry of a server (its purge deletes the prefix). */
export function serverSearchPrefix(serverId: string): Deno.KvKey {
  return ["search", serverId];
}

/** The distinct terms a message is indexed under (filter terms first, then its tokens). */
export function termsOf(
  message: Pick<MessageRecord, "channelId" | "content" | "mentions" | "attachments">,
): string[] {
  const terms = new Set([channelTerm(message.channelId)]);
  for (const userId of message.mentions?.users ?? []) terms.add(mentionTerm(userId));
  if (hasLink(message.content)) terms.add(LINK_TERM);
  if ((message.attachments?.length ?? 0) > 0) terms.add(FILE_TERM);
  if (hasInlineImage(message.attachments)) terms.add(IMAGE_TERM);
  const words = new Set<string>();
  for (const token of tokenize(message.content)) {
    if (words.size >= SEARCH_TERMS_PER_MESSAGE_MAX) break;
    words.add(token);
  }
  for (const word of words) terms.add(word);
  return [...terms];
}

/** The index keys of a message. */
export function searchKeysOf(serverId: string, message: MessageRecord): Deno.KvKey[] {
  return termsOf(message).map((term) => [...termPrefix(serverId, term), message.id]);
}

/** Adds the writes that index a new message. */
export function indexMessage(
  op: Deno.AtomicOperation,
  serverId: string,
  message: MessageRecord,
): Deno.AtomicOperation {
  const address: SearchAddress = [message.channelId, message.seq];
  for (const key of searchKeysOf(serverId, message)) op = op.set(key, address);
  return op;
}

/** Adds the deletions of a message's index keys. */
export function unindexMessage(
  op: Deno.AtomicOperation,
  serverId: string,
  message: MessageRecord,
): Deno.AtomicOperation {
  for (const key of searchKeysOf(serverId, message)) op = op.delete(key);
  return op;
}

/** Adds what an edit changes: keys of terms it lost go, keys of terms it gained come. */
export function reindexMessage(
  op: Deno.AtomicOperation,
  serverId: string,
  before: MessageRecord,
  after: MessageRecord,
): Deno.AtomicOperation {
  const old = new Set(termsOf(before));
  const now = new Set(termsOf(after));
  const address: SearchAddress = [after.channelId, after.seq];
  for (const term of old) {
    if (!now.has(term)) op = op.delete([...termPrefix(serverId, term), after.id]);
  }
  for (const term of now) {
    if (!old.has(term)) op = op.set([...termPrefix(serverId, term), after.id], address);
  }
  return op;
}

const encoder = new TextEncoder();

/** The mutations and (roughly) the key bytes a message's index adds to its commit. */
export function searchCostOf(
  serverId: string,
  message: Pick<MessageRecord, "id" | "channelId" | "content" | "mentions" | "attachments">,
): { mutations: number; keyBytes: number } {
  const terms = termsOf(message);
  let keyBytes = 0;
  for (const term of terms) {
    keyBytes += 16 + serverId.length + message.id.length + encoder.encode(term).length;
  }
  return { mutations: terms.length, keyBytes };
}
