/**
 * The Deno KV search index: per server and term, a list of postings newest first, each naming a
 * message by id (UUIDv7: send order) and address (`["messages", channelId, seq]`). Per server,
 * so a search lists only the servers it covers; by term, so it reads only entries that can match.
 * Two kinds of entry share a term's list, both keyed by the newest message id they hold:
 *
 * - a *pack* `["search", serverId, term, maxId, size]` → SearchPack: every message of one flush
 *   of db/kv/search_writer.ts that has the term (sends are indexed a moment after their commit,
 *   many together: a term shared by many messages of that second costs one key, not one each).
 *   A pack spans at most PACK_SPAN_MS of id time, so a page bound `beforeId` only has to look
 *   that far above itself for packs holding older entries (searchListEnd);
 * - a *single* `["search", serverId, term, messageId]` → [channelId, seq]: a term an edit added
 *   (edits and deletions show at once), and the backfill's entries.
 *
 * Terms are the message's distinct tokens (lib/search/text.ts: folded words, CJK bigrams, URL
 * parts) and a few filter terms no token can look like (tokens have no `:`): `in:<channelId>`
 * (every message: a search with no word lists its channels' messages from there),
 * `mentions:<id>`, `has:link`, `has:file` and `has:image` (an attachment, an inline image one:
 * attachments are fixed at send, so an edit never changes these two). `from:` needs no term:
 * db/kv/author_messages.ts already lists each author's messages by id with their addresses, in
 * the same commits. Filter terms come first, then at most SEARCH_TERMS_PER_MESSAGE_MAX tokens in
 * the order they appear.
 *
 * An edit writes the singles of the terms it gains and deletes those of the terms it loses in
 * its commit, a deletion those of all its terms; then both take the message out of its packs
 * (unpackMessages: a follow-up write; an entry left by a crash between is harmless, searches read
 * the message and drop what is gone or no longer matches). A deleted channel's entries go with
 * its purge (db/kv/purge.ts) and a deleted server's by prefix, gated meanwhile by the channel
 * record: searches only name channels that exist.
 */
import { SEARCH_TERMS_PER_MESSAGE_MAX } from "../../lib/limits.ts";
import { hasLink, tokenize } from "../../lib/search/text.ts";
import { hasInlineImage } from "../search_store.ts";
import type { MessageRecord } from "../store.ts";
import { getEntries, whenUnlocked } from "./commits.ts";

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

/** The most id time (ms) one pack spans: a page's bound looks this far above itself. */
export const PACK_SPAN_MS = 10_000;
/** Most entries one pack holds (its value stays far below KV's 64 KiB). */
export const PACK_ENTRIES_MAX = 400;

/** A pack's value: its channels, then each entry as [message id, channel index, seq], ids ascending. */
export type SearchPack = [
  channels: string[],
  entries: [id: string, channel: number, seq: number][],
];

/** One message's place on a term's list. */
export interface Posting {
  id: string;
  address: SearchAddress;
}

const ID_TIME = /^[0-9a-f]{8}-[0-9a-f]{4}/;
const ID_TIME_MAX = 2 ** 48 - 1;

/** The ms time of a UUIDv7 (its first 48 bits); NaN for an id without that form. */
export function idTime(id: string): number {
  return ID_TIME.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : NaN;
}

/** A string above every id of time ≤ `time` and below every later one (null: none fits). */
function idBound(time: number): string | null {
  if (!(time + 1 <= ID_TIME_MAX)) return null;
  const hex = (time + 1).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8)}`;
}

/**
 * The exclusive end of the keys of a term list that may hold entries older than `beforeId`:
 * singles below it, and packs whose newest id is at most PACK_SPAN_MS above it (undefined: the
 * whole list).
 */
export function listEnd(prefix: Deno.KvKey, beforeId: string | null): Deno.KvKey | undefined {
  if (beforeId === null) return undefined;
  const bound = idBound(idTime(beforeId) + PACK_SPAN_MS);
  return bound === null ? undefined : [...prefix, bound < beforeId ? beforeId : bound];
}

/** True for a pack's value (a single's is an address: [channelId, seq]). */
function isPack(value: unknown): value is SearchPack {
  return Array.isArray(value) && Array.isArray(value[0]);
}

/**
 * The newest id a listed entry holds: a single's (or an author list's) last key part, a pack's
 * next to last.
 */
export function newestIdOf(entry: Deno.KvEntry<unknown>): string {
  return entry.key[entry.key.length - (isPack(entry.value) ? 2 : 1)] as string;
}

/**
 * The postings a listed entry holds, newest first: a single (or an author list's entry: the
 * same shape, id last in the key), or a pack's entries.
 */
export function postingsOf(entry: Deno.KvEntry<unknown>): Posting[] {
  if (!isPack(entry.value)) {
    return [{
      id: entry.key[entry.key.length - 1] as string,
      address: entry.value as SearchAddress,
    }];
  }
  const [channels, entries] = entry.value as SearchPack;
  const out: Posting[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const [id, channel, seq] = entries[i];
    out.push({ id, address: [channels[channel], seq] });
  }
  return out;
}

/**
 * A pack's key: by its newest id, then its size (a message is in one pack of a term; a flush
 * written again after a failure rewrites the same packs, or adds a larger one beside).
 */
function packKey(prefix: Deno.KvKey, entries: Posting[]): Deno.KvKey {
  return [...prefix, entries[entries.length - 1].id, entries.length];
}

function packValue(postings: Posting[]): SearchPack {
  const channels: string[] = [];
  const index = new Map<string, number>();
  const entries = postings.map(({ id, address: [channelId, seq] }): [string, number, number] => {
    let at = index.get(channelId);
    if (at === undefined) {
      at = channels.push(channelId) - 1;
      index.set(channelId, at);
    }
    return [id, at, seq];
  });
  return [channels, entries];
}

/**
 * The entries that put these postings of one term on its list: packs of at most
 * PACK_ENTRIES_MAX postings spanning at most PACK_SPAN_MS, a single for a posting alone (or an
 * id that is not a UUIDv7).
 */
export function packsOf(prefix: Deno.KvKey, postings: Posting[]): [Deno.KvKey, unknown][] {
  const sorted = inIdOrder(postings);
  const out: [Deno.KvKey, unknown][] = [];
  let run: Posting[] = [];
  let runStart = NaN;
  const close = () => {
    if (run.length === 1) out.push([[...prefix, run[0].id], run[0].address]);
    else if (run.length > 1) out.push([packKey(prefix, run), packValue(run)]);
    run = [];
  };
  for (const posting of sorted) {
    const time = idTime(posting.id);
    if (
      run.length > 0 &&
      (run.length >= PACK_ENTRIES_MAX || Number.isNaN(time) || time - runStart > PACK_SPAN_MS)
    ) close();
    if (run.length === 0) runStart = time;
    run.push(posting);
    if (Number.isNaN(time)) close();
  }
  close();
  return out;
}

/**
 * The postings by ascending id, each id once. A flush hands them over in send order, which is
 * almost always id order already: then they are taken as they are (no copy, no sort).
 */
function inIdOrder(postings: Posting[]): Posting[] {
  let ordered = true;
  for (let i = 1; i < postings.length && ordered; i++) {
    ordered = postings[i - 1].id < postings[i].id;
  }
  if (ordered) return postings;
  return [...new Map(postings.map((p) => [p.id, p])).values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A pack without these ids (null: nothing left), or undefined if it holds none of them. */
function withoutIds(pack: SearchPack, ids: Set<string>): SearchPack | null | undefined {
  const [channels, entries] = pack;
  const kept = entries.filter(([id]) => !ids.has(id));
  if (kept.length === entries.length) return undefined;
  if (kept.length === 0) return null;
  return packValue(kept.map(([id, c, seq]) => ({ id, address: [channels[c], seq] })));
}

/** Packs read per commit of unpackMessages (each a check and a write). */
const UNPACK_PER_COMMIT = 40;
const UNPACK_ATTEMPTS = 10;
const UNPACK_DELETES_PER_COMMIT = 500;

/**
 * Takes messages out of the packs of the given terms (each message with the terms to drop), in
 * commits that check each pack as read (another removal from the same pack meanwhile: read
 * again), and deletes their singles (an edit's or deletion's own commit deleted those it knew:
 * this also catches those a flush wrote since).
 */
export async function unpackMessages(
  kv: Deno.Kv,
  serverId: string,
  messages: { id: string; terms: string[] }[],
): Promise<void> {
  const byTerm = new Map<string, Set<string>>();
  for (const { id, terms } of messages) {
    for (const term of terms) {
      const ids = byTerm.get(term) ?? new Set<string>();
      ids.add(id);
      byTerm.set(term, ids);
    }
  }
  const found: Deno.KvEntry<SearchPack>[] = [];
  const lists = [...byTerm].map(async ([term, ids]) => {
    const prefix = termPrefix(serverId, term);
    const sorted = [...ids].sort();
    const end = idBound(idTime(sorted[sorted.length - 1]) + PACK_SPAN_MS);
    const listed = kv.list<SearchPack>({
      start: [...prefix, sorted[0]],
      end: end === null ? [...prefix, "\uffff"] : [...prefix, end],
    });
    for await (const entry of listed) {
      if (isPack(entry.value) && withoutIds(entry.value, ids) !== undefined) found.push(entry);
    }
    return [term, ids] as const;
  });
  const idsOf = new Map(await Promise.all(lists));
  // Their singles too: a flush writes one for a term only one message of it had.
  const singles = [...byTerm].flatMap(([term, ids]) =>
    [...ids].map((id) => [...termPrefix(serverId, term), id])
  );
  for (let i = 0; i < singles.length; i += UNPACK_DELETES_PER_COMMIT) {
    let op = kv.atomic();
    for (const key of singles.slice(i, i + UNPACK_DELETES_PER_COMMIT)) op = op.delete(key);
    await whenUnlocked(() => op.commit());
  }
  for (let i = 0; i < found.length; i += UNPACK_PER_COMMIT) {
    let chunk = found.slice(i, i + UNPACK_PER_COMMIT);
    for (let attempt = 0; chunk.length > 0 && attempt < UNPACK_ATTEMPTS; attempt++) {
      let op = kv.atomic();
      for (const entry of chunk) {
        const rest = withoutIds(entry.value, idsOf.get(entry.key[2] as string)!);
        op = op.check(entry);
        if (rest === null) op = op.delete(entry.key);
        else if (rest !== undefined) op = op.set(entry.key, rest);
      }
      if ((await whenUnlocked(() => op.commit())).ok) break;
      const again = await getEntries<SearchPack>(kv, chunk.map((entry) => entry.key));
      chunk = again.filter((entry): entry is Deno.KvEntry<SearchPack> => entry.value !== null);
    }
  }
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
