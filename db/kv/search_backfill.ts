/**
 * The search index of a Deno KV database that had messages before search existed: built in the
 * background when the store opens (never blocking start-up), once per database (a marker says
 * it was done; a close or crash before that starts it over next time, which is harmless: it
 * only sets keys).
 *
 * Each batch is one commit that checks every message is as it was read, so a message edited or
 * deleted meanwhile is read again (edited: indexed by its new content; gone: skipped). Until it
 * is done, searches do not see the older messages it has not reached (results are partial,
 * never wrong); new messages are indexed by their own writes from the start.
 *
 * It also indexes, at every start, the messages a crash left unindexed: those still named by a
 * `["search_pending", …]` key of db/kv/search_writer.ts (written with their append, deleted by
 * the flush that indexes them), read as they are now; then it deletes those keys.
 */
import type { ChannelRecord, MessageRecord } from "../store.ts";
import { getEntries, whenUnlocked } from "./commits.ts";
import { channelKeyOf } from "./governance_keys.ts";
import { messageWithDefaults } from "./records.ts";
import { indexMessage, type SearchAddress, searchCostOf } from "./search_keys.ts";
import { PENDING_PREFIX } from "./search_writer.ts";

const MARKER: Deno.KvKey = ["migrations", "search_index"];
/** Messages listed per batch. */
const LISTED_PER_BATCH = 50;
/** What one commit may carry (KV: 1000 mutations, 100 checks, 80 KiB of keys). */
const MUTATIONS_MAX = 900;
const CHECKS_MAX = 90;
const KEY_BYTES_MAX = 64 * 1024;

export class KvSearchBackfill {
  #stopped = false;
  #running: Promise<void> = Promise.resolve();
  #servers = new Map<string, string | null>();

  /** `enabled` false: a store kept without its index (bench/search.ts) has nothing to fill. */
  constructor(
    private kv: Deno.Kv,
    private enabled = true,
    private log: (line: string) => void = console.log,
  ) {}

  start(): void {
    if (!this.enabled) return;
    this.#running = this.#run().catch((error) => {
      if (!this.#stopped) console.error("search backfill failed:", error);
    });
  }

  /** Stops at the next batch and waits for it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** Resolves when the backfill has finished (for tests and the bench). */
  finished(): Promise<void> {
    return this.#running;
  }

  async #run(): Promise<void> {
    await this.#recoverPending();
    if ((await this.kv.get(MARKER)).versionstamp !== null) return;
    let cursor: string | undefined;
    let indexed = 0;
    let logged = false;
    for (;;) {
      if (this.#stopped) return;
      const listed = this.kv.list<MessageRecord>({ prefix: ["messages"] }, {
        limit: LISTED_PER_BATCH,
        cursor,
      });
      const entries: Deno.KvEntry<MessageRecord>[] = [];
      for await (const entry of listed) entries.push(entry);
      if (entries.length > 0 && !logged) {
        this.log("search backfill: indexing messages stored before search (KV)");
        logged = true;
      }
      await this.#index(entries);
      indexed += entries.length;
      if (entries.length < LISTED_PER_BATCH) break;
      cursor = listed.cursor;
      if (indexed % 10_000 === 0) this.log(`search backfill: ${indexed} messages indexed (KV)`);
    }
    await whenUnlocked(() => this.kv.set(MARKER, true));
    if (logged) this.log(`search backfill: done, ${indexed} messages (KV)`);
  }

  /**
   * The messages of pending keys left by an instance that stopped before its flush (another
   * instance's flush may be under way: indexing a message twice only repeats its postings).
   */
  async #recoverPending(): Promise<void> {
    // Not those of messages sent since this start (their flush is this instance's).
    const now = Date.now().toString(16).padStart(12, "0");
    const end = [...PENDING_PREFIX, `${now.slice(0, 8)}-${now.slice(8)}`];
    const pending: Deno.KvEntry<SearchAddress[]>[] = [];
    for await (const entry of this.kv.list<SearchAddress[]>({ prefix: PENDING_PREFIX, end })) {
      pending.push(entry);
    }
    for (let i = 0; i < pending.length && !this.#stopped; i += 10) {
      const group = pending.slice(i, i + 10);
      const addresses = group.flatMap((entry) => entry.value);
      for (let j = 0; j < addresses.length; j += LISTED_PER_BATCH) {
        const read = await getEntries<MessageRecord>(
          this.kv,
          addresses.slice(j, j + LISTED_PER_BATCH).map((address) => ["messages", ...address]),
        );
        await this.#index(read.filter((e): e is Deno.KvEntry<MessageRecord> => e.value !== null));
      }
      let op = this.kv.atomic();
      for (const entry of group) op = op.check(entry).delete(entry.key);
      await whenUnlocked(() => op.commit());
    }
    if (pending.length > 0) {
      this.log(`search index: ${pending.length} unflushed commits indexed after a restart (KV)`);
    }
  }

  /** Indexes the entries in as few commits as the limits allow. */
  async #index(entries: Deno.KvEntry<MessageRecord>[]): Promise<void> {
    let group: [Deno.KvEntry<MessageRecord>, string][] = [];
    let mutations = 0;
    let keyBytes = 0;
    for (const entry of entries) {
      const serverId = await this.#serverOf(entry.value.channelId);
      if (serverId === null) continue;
      const cost = searchCostOf(serverId, entry.value);
      if (
        group.length + 1 > CHECKS_MAX || mutations + cost.mutations > MUTATIONS_MAX ||
        keyBytes + cost.keyBytes > KEY_BYTES_MAX
      ) {
        await this.#commit(group);
        group = [];
        mutations = keyBytes = 0;
      }
      group.push([entry, serverId]);
      mutations += cost.mutations;
      keyBytes += cost.keyBytes;
    }
    await this.#commit(group);
  }

  async #commit(group: [Deno.KvEntry<MessageRecord>, string][]): Promise<void> {
    if (group.length === 0) return;
    let op = this.kv.atomic();
    for (const [entry, serverId] of group) {
      op = indexMessage(op.check(entry), serverId, messageWithDefaults(entry.value));
    }
    if ((await whenUnlocked(() => op.commit())).ok) return;
    // Something changed meanwhile: each message again, as it is now.
    for (const [entry, serverId] of group) {
      const now = await this.kv.get<MessageRecord>(entry.key);
      if (now.value === null) continue;
      await this.#commit([[now as Deno.KvEntry<MessageRecord>, serverId]]);
    }
  }

  /** The server of a channel (null: the channel is gone, its messages are being purged). */
  async #serverOf(channelId: string): Promise<string | null> {
    if (!this.#servers.has(channelId)) {
      const [channel] = await getEntries<ChannelRecord>(this.kv, [channelKeyOf(channelId)]);
      this.#servers.set(channelId, channel.value?.serverId ?? null);
    }
    return this.#servers.get(channelId)!;
  }
}
