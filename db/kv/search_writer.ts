/**
 * Writes the Deno KV search index of new messages a moment after their sends, many messages at
 * once: each term the messages of a flush share is one pack (db/kv/search_keys.ts), so a send
 * costs its terms' share of a flush instead of a key per term in its own commit.
 *
 * - Nothing is lost on a crash: the append commit itself writes one `["search_pending", id]`
 *   key naming its messages' addresses (one per commit, not per message); a flush deletes those
 *   keys in its last commit, and the store's start-up indexes whatever such keys are left
 *   (db/kv/search_backfill.ts), read from the messages as they are then.
 * - Searchable within 2 s (API.md): a flush starts as soon as messages wait, at most one every
 *   FLUSH_INTERVAL_MS (what arrives meanwhile waits for the next, so under load a flush carries
 *   a second of sends), and a search on this instance first flushes what waits here.
 * - Edits and deletions show at once: they write and delete singles in their own commit, and
 *   take the message out of its packs after (unpack, which flushes first if it waits here).
 * - Bounded: with PENDING_MAX messages waiting, appends wait for the flush under way.
 */
import type { MessageRecord } from "../store.ts";
import { whenUnlocked } from "./commits.ts";
import {
  packsOf,
  type Posting,
  type SearchAddress,
  termPrefix,
  termsOf,
  unpackMessages,
} from "./search_keys.ts";

/** Where the append commits name their messages until they are indexed. */
export const PENDING_PREFIX: Deno.KvKey = ["search_pending"];
/** At most one flush starts per this many ms. */
const FLUSH_INTERVAL_MS = 1000;
/** Messages waiting at which appends wait for the flush. */
const PENDING_MAX = 50_000;
/** What one flush commit carries (KV: 1000 mutations, 80 KiB of keys, 800 KiB in all). */
const FLUSH_MUTATIONS_MAX = 900;
const FLUSH_KEY_BYTES_MAX = 60 * 1024;
const FLUSH_BYTES_MAX = 500 * 1024;

/** A message to index and the server it is in. */
export interface Indexable {
  serverId: string;
  message: MessageRecord;
}

/** The pending key an append commit writes for its messages, and what it carries. */
export interface PendingWrite {
  key: Deno.KvKey;
  value: SearchAddress[];
  items: Indexable[];
}

/** The pending key of messages appended in one commit. */
export function pendingWrite(items: Indexable[]): PendingWrite {
  return {
    key: [...PENDING_PREFIX, items[0].message.id],
    value: items.map(({ message }) => [message.channelId, message.seq]),
    items,
  };
}

const sizeOf = (part: Deno.KvKeyPart) => typeof part === "string" ? part.length + 2 : 9;
const keyBytes = (key: Deno.KvKey) => key.reduce((n: number, part) => n + sizeOf(part), 0);
/** Roughly the serialized size of a single's or a pack's value. */
function valueBytes(value: unknown): number {
  if (!Array.isArray(value) || !Array.isArray(value[0])) return 60;
  return (value[0] as string[]).length * 40 + (value[1] as unknown[]).length * 52;
}

export class KvSearchWriter {
  #items: Indexable[] = [];
  #keys: Deno.KvKey[] = [];
  #flushing: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = 0;
  #closed = false;

  constructor(
    private kv: Deno.Kv,
    private log: (line: string, error: unknown) => void = console.error,
  ) {}

  /** After its append committed: the messages wait for the next flush. */
  async add(write: PendingWrite): Promise<void> {
    this.#items.push(...write.items);
    this.#keys.push(write.key);
    this.#schedule();
    while (this.#items.length >= PENDING_MAX && this.#flushing) await this.#flushing;
  }

  /** Indexes every message waiting here now (and waits for a flush under way). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#items.length === 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#start();
  }

  /** Takes messages out of the packs of these terms (flushing first: they may wait here). */
  async unpack(serverId: string, messages: { id: string; terms: string[] }[]): Promise<void> {
    if (messages.every(({ terms }) => terms.length === 0)) return;
    await this.flush();
    await unpackMessages(this.kv, serverId, messages);
  }

  /** Flushes what waits and stops taking timers. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush().catch(() => {});
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#flushing || this.#closed) return;
    const wait = Math.max(0, this.#lastFlush + FLUSH_INTERVAL_MS - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#flushing) void this.#start();
    }, wait);
  }

  #start(): Promise<void> {
    const items = this.#items;
    const keys = this.#keys;
    this.#items = [];
    this.#keys = [];
    this.#lastFlush = performance.now();
    this.#flushing = this.#write(items, keys)
      .catch((error) => {
        // Kept for the next flush (the pending keys stay too, for a restart).
        this.#items.unshift(...items);
        this.#keys.unshift(...keys);
        this.log("search index: a flush failed, kept for the next one:", error);
      })
      .finally(() => {
        this.#flushing = null;
        if (this.#items.length > 0) this.#schedule();
      });
    return this.#flushing;
  }

  /** The packs of these messages' terms, then the deletion of their pending keys. */
  async #write(items: Indexable[], pendingKeys: Deno.KvKey[]): Promise<void> {
    // Per server, each term's postings in the messages' order (one posting per message, shared
    // by its terms): a flush carries a second of sends, so this loop is the writer's CPU.
    const servers = new Map<string, Map<string, Posting[]>>();
    for (const { serverId, message } of items) {
      let terms = servers.get(serverId);
      if (!terms) servers.set(serverId, terms = new Map());
      const posting: Posting = { id: message.id, address: [message.channelId, message.seq] };
      for (const term of termsOf(message)) {
        const postings = terms.get(term);
        if (postings) postings.push(posting);
        else terms.set(term, [posting]);
      }
    }
    const writes: [Deno.KvKey, unknown][] = [];
    // In key order: each commit's inserts land side by side in the database's pages.
    for (const serverId of [...servers.keys()].sort()) {
      const terms = servers.get(serverId)!;
      for (const term of [...terms.keys()].sort()) {
        for (const write of packsOf(termPrefix(serverId, term), terms.get(term)!)) {
          writes.push(write);
        }
      }
    }
    let op = this.kv.atomic();
    let mutations = 0;
    let keySize = 0;
    let size = 0;
    const add = async (key: Deno.KvKey, value: unknown | undefined) => {
      const k = keyBytes(key);
      const v = value === undefined ? 0 : valueBytes(value);
      if (
        mutations + 1 > FLUSH_MUTATIONS_MAX || keySize + k > FLUSH_KEY_BYTES_MAX ||
        size + k + v > FLUSH_BYTES_MAX
      ) {
        const full = op;
        await whenUnlocked(() => full.commit());
        op = this.kv.atomic();
        mutations = keySize = size = 0;
      }
      op = value === undefined ? op.delete(key) : op.set(key, value);
      mutations++;
      keySize += k;
      size += k + v;
    };
    for (const [key, value] of writes) await add(key, value);
    for (const key of pendingKeys) await add(key, undefined);
    if (mutations > 0) {
      const last = op;
      await whenUnlocked(() => last.commit());
    }
  }
}
