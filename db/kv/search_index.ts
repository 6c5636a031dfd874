/**
 * Search on Deno KV over the term index of db/kv/search_keys.ts.
 *
 * A search picks one *driver*: a term list that every match must be on (a required token, the
 * author's messages (db/kv/author_messages.ts), a mention, `has:link`, `has:file`, `has:image`, or, with no such term, the messages of the channels searched).
 * Each candidate driver's first page is read at once; the driver is the one that ran out first
 * (the rarest), else the one whose page reached furthest back (the sparsest). Its entries are
 * then read newest first, a growing batch at a time: those outside the channels searched are
 * dropped before any message is read, the rest are read (`getMany`, ten at a time, together) and
 * kept if they truly match (lib/search/match.ts: phrases, exclusions and filters on the current
 * content). `is:pinned` with no term reads the channels' pins instead.
 *
 * A list's entries are singles and packs (db/kv/search_keys.ts); a pack's postings are merged
 * in as it is read, and a posting is only given out once no entry not yet listed can hold a
 * newer one. Sends waiting on this instance to be indexed are flushed first.
 *
 * The cost is the driver's entries read down to the oldest result, plus one read per candidate:
 * a rare word anywhere is cheap, two common words that seldom meet are not (PostgreSQL
 * intersects its index instead).
 */
import { matchesMessage } from "../../lib/search/match.ts";
import type { SearchCriteria } from "../search_store.ts";
import type { MessageRecord, PinRecord } from "../store.ts";
import { authorMessageKey } from "./author_messages.ts";
import { getAll, getEntries } from "./commits.ts";
import { channelKeyOf } from "./governance_keys.ts";
import { messageWithDefaults } from "./records.ts";
import {
  channelTerm,
  FILE_TERM,
  IMAGE_TERM,
  LINK_TERM,
  listEnd,
  mentionTerm,
  newestIdOf,
  type Posting,
  postingsOf,
  type SearchAddress,
  termPrefix,
} from "./search_keys.ts";

/** Entries read per list call (and per driver while choosing). */
const PAGE = 100;
/** Candidates read per round at most (a round starts at limit + 1 and doubles). */
const BATCH_MAX = 400;
/** With more channels than this, "the channels' messages" is not worth probing as a driver. */
const CHANNEL_DRIVER_MAX = 4;

interface Source {
  prefix: Deno.KvKey;
  /** Postings read and not yet taken, newest first. */
  buffer: Posting[];
  cursor: string | undefined;
  done: boolean;
  /**
   * The newest id of the last entry listed: no entry not yet listed holds a newer one, so the
   * buffer's postings at or above it are in order (a pack's older entries may interleave with
   * the next entries').
   */
  last: string | undefined;
}

/**
 * The union of term lists (one per server and term), newest first, below an exclusive id
 * bound: a k-way merge that reads each list a page at a time, when its buffer runs out of
 * postings known to be in order.
 */
class PostingStream {
  #sources: Source[];
  #emitted = new Set<string>();

  constructor(private kv: Deno.Kv, prefixes: Deno.KvKey[], private beforeId: string | null) {
    this.#sources = prefixes.map((prefix) => ({
      prefix,
      buffer: [],
      cursor: undefined,
      done: false,
      last: undefined,
    }));
  }

  /** Reads the next page of every list that needs one, together. */
  async fill(): Promise<void> {
    await Promise.all(this.#sources.filter((s) => this.#needsPage(s)).map((s) => this.#page(s)));
  }

  #needsPage(source: Source): boolean {
    return !source.done &&
      (source.buffer.length === 0 || source.buffer[0].id < (source.last ?? ""));
  }

  async #page(source: Source): Promise<void> {
    const end = listEnd(source.prefix, this.beforeId);
    const listed = this.kv.list<unknown>(
      end ? { prefix: source.prefix, end } : { prefix: source.prefix },
      { reverse: true, limit: PAGE, cursor: source.cursor },
    );
    let count = 0;
    let merged = false;
    for await (const entry of listed) {
      for (const posting of postingsOf(entry)) {
        if (this.beforeId !== null && posting.id >= this.beforeId) continue;
        merged ||= source.buffer.length > 0 && posting.id > source.buffer.at(-1)!.id;
        source.buffer.push(posting);
      }
      source.last = newestIdOf(entry);
      count++;
    }
    if (merged) source.buffer.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    source.cursor = listed.cursor;
    if (count < PAGE || listed.cursor === "") source.done = true;
  }

  /** True once every list is read and emptied. */
  get exhausted(): boolean {
    return this.#sources.every((s) => s.done && s.buffer.length === 0);
  }

  /**
   * How selective this stream looks after its first pages: [0, count] when it is all read (a
   * short list), else [1, the newest id down to which every list has been read] (lower: the
   * pages reached further back, the entries are sparser).
   */
  get selectivity(): [number, string] {
    if (this.#sources.every((s) => s.done)) {
      return [0, String(this.#sources.reduce((n, s) => n + s.buffer.length, 0)).padStart(12)];
    }
    const reached = this.#sources.filter((s) => !s.done).map((s) => s.last ?? "\uffff");
    return [1, reached.reduce((a, b) => (a > b ? a : b))];
  }

  /** Up to `n` more entries, newest first (an id seen already is skipped: unions may repeat). */
  async take(n: number): Promise<Posting[]> {
    const out: Posting[] = [];
    while (out.length < n) {
      if (this.#sources.some((s) => this.#needsPage(s))) await this.fill();
      let best: Source | undefined;
      for (const source of this.#sources) {
        if (source.buffer.length === 0) continue;
        if (!best || source.buffer[0].id > best.buffer[0].id) best = source;
      }
      if (!best) break;
      const posting = best.buffer.shift()!;
      if (this.#emitted.has(posting.id)) continue;
      this.#emitted.add(posting.id);
      out.push(posting);
    }
    return out;
  }
}

/** What the index needs of the rest of the KV store (pins live in db/kv/pins.ts). */
export interface SearchIndexDeps {
  /** Indexes the sends waiting on this instance (db/kv/search_writer.ts). */
  flush(): Promise<void>;
  pinsOf(messageIds: string[]): Promise<Set<string>>;
  listPins(channelId: string): Promise<PinRecord[]>;
}

export class KvSearchIndex {
  constructor(private kv: Deno.Kv, private deps: SearchIndexDeps) {}

  async search(asked: SearchCriteria): Promise<MessageRecord[]> {
    if (asked.channels.length === 0 || asked.limit < 1) return [];
    await this.deps.flush();
    // A deleted channel's messages and keys stay until its purge: its record says they are gone.
    const records = await getEntries(this.kv, asked.channels.map((c) => channelKeyOf(c.channelId)));
    const criteria = {
      ...asked,
      channels: asked.channels.filter((_, i) => records[i].versionstamp !== null),
    };
    if (criteria.channels.length === 0) return [];
    const candidates = this.#candidateStreams(criteria);
    if (candidates.length === 0) return await this.#searchPins(criteria);
    await Promise.all(candidates.map((stream) => stream.fill()));
    const driver = candidates.reduce((a, b) => compare(b.selectivity, a.selectivity) < 0 ? b : a);
    return await this.#collect(driver, criteria);
  }

  /** Each list every match must be on, as a stream over the servers (or channels) searched. */
  #candidateStreams(criteria: SearchCriteria): PostingStream[] {
    const servers = [...new Set(criteria.channels.map((c) => c.serverId))];
    const stream = (terms: string[]) =>
      new PostingStream(
        this.kv,
        servers.flatMap((serverId) => terms.map((term) => termPrefix(serverId, term))),
        criteria.beforeId,
      );
    const tokens = new Set(criteria.required.flatMap((term) => term.tokens));
    const streams = [...tokens].map((token) => stream([token]));
    // An author's messages in every server (db/kv/author_messages.ts); the scope drops the rest.
    if (criteria.authorIds) {
      streams.push(
        new PostingStream(
          this.kv,
          criteria.authorIds.map((authorId) => authorMessagesPrefix(authorId)),
          criteria.beforeId,
        ),
      );
    }
    if (criteria.mentionIds) streams.push(stream(criteria.mentionIds.map(mentionTerm)));
    if (criteria.hasLink) streams.push(stream([LINK_TERM]));
    if (criteria.hasFile) streams.push(stream([FILE_TERM]));
    if (criteria.hasImage) streams.push(stream([IMAGE_TERM]));
    const byChannel = criteria.channels.length <= CHANNEL_DRIVER_MAX || streams.length === 0;
    if (byChannel && !(criteria.pinned && streams.length === 0)) {
      streams.push(
        new PostingStream(
          this.kv,
          criteria.channels.map((c) => termPrefix(c.serverId, channelTerm(c.channelId))),
          criteria.beforeId,
        ),
      );
    }
    return streams;
  }

  /** Reads the driver's entries newest first until `limit` messages match or it runs out. */
  async #collect(driver: PostingStream, criteria: SearchCriteria): Promise<MessageRecord[]> {
    const inScope = new Set(criteria.channels.map((c) => c.channelId));
    const found: MessageRecord[] = [];
    let batch = criteria.limit + 1;
    while (found.length < criteria.limit && !driver.exhausted) {
      const postings = (await driver.take(batch)).filter((p) => inScope.has(p.address[0]));
      batch = Math.min(batch * 2, BATCH_MAX);
      found.push(...await this.#matching(postings.map((p) => p.address), criteria));
    }
    return found.slice(0, criteria.limit);
  }

  /** The messages at these addresses that match, in the same order. */
  async #matching(addresses: SearchAddress[], criteria: SearchCriteria): Promise<MessageRecord[]> {
    if (addresses.length === 0) return [];
    const read = await getAll<MessageRecord>(
      this.kv,
      addresses.map((address) => ["messages", ...address]),
    );
    const messages = read.filter((m): m is MessageRecord => m !== null).map(messageWithDefaults)
      .filter((message) => matchesMessage(criteria, message));
    if (!criteria.pinned || messages.length === 0) return messages;
    const pinned = await this.deps.pinsOf(messages.map((m) => m.id));
    return messages.filter((m) => pinned.has(m.id));
  }

  /** `is:pinned` with no term: the channels' pins, newest message first. */
  async #searchPins(criteria: SearchCriteria): Promise<MessageRecord[]> {
    const pins = (await Promise.all(criteria.channels.map((c) => this.deps.listPins(c.channelId))))
      .flat()
      .filter((pin) => criteria.beforeId === null || pin.messageId < criteria.beforeId)
      .sort((a, b) => (a.messageId < b.messageId ? 1 : -1));
    const ids = pins.map((pin) => pin.messageId);
    const addresses = await getAll<SearchAddress>(this.kv, ids.map((id) => ["message_ids", id]));
    const found: MessageRecord[] = [];
    const known = addresses.filter((a): a is SearchAddress => a !== null);
    for (let i = 0; i < known.length && found.length < criteria.limit; i += BATCH_MAX) {
      const read = await getAll<MessageRecord>(
        this.kv,
        known.slice(i, i + BATCH_MAX).map((address) => ["messages", ...address]),
      );
      for (const message of read) {
        if (message && matchesMessage(criteria, messageWithDefaults(message))) {
          found.push(messageWithDefaults(message));
        }
      }
    }
    return found.slice(0, criteria.limit);
  }
}

/** The prefix of an author's entries in db/kv/author_messages.ts. */
function authorMessagesPrefix(authorId: string): Deno.KvKey {
  return authorMessageKey(authorId, "").slice(0, -1);
}

function compare(a: [number, string], b: [number, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}
