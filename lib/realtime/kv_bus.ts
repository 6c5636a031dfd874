/**
 * The bus between instances that share one Deno KV database (Deno Deploy, where instances are
 * isolated but see the same KV).
 *
 * Each published envelope is appended to a short-lived log under the next number of a head key,
 * in one atomic commit. Every instance watches the head key: `kv.watch` may skip states, so a
 * wake-up only says "something changed" and the instance reads the log from its own cursor.
 * Message order is restored by the hub from per-channel seq, reading any gap from the store.
 *
 * A KV value holds at most 64 KiB: a larger envelope (a `server_joined` listing hundreds of
 * channels with their overwrites) is written as consecutive parts in the same commit, and put
 * back together by the readers; permission snapshots on other instances must see it whole.
 */
import type { KvBusTransport } from "../../db/kv/kv_bus_transport.ts";
import { isLocked } from "../../db/kv/locked.ts";
import { retry, TRY_AGAIN } from "../../db/retry.ts";
import { KV_BUS_DRAIN_RETRY_MS, KV_BUS_EVENT_TTL_MS, KV_BUS_POLL_MS } from "../limits.ts";
import type { Bus } from "./bus.ts";
import type { Envelope } from "./envelope.ts";

const HEAD_KEY = ["bus", "head"];
const EVENTS_PREFIX = ["bus", "events"];

const MAX_APPEND_ATTEMPTS = 100;
/** UTF-16 units of an envelope's JSON per log entry: at most 3 bytes each, under 64 KiB. */
const PART_UNITS = 20_000;

/** Entries per append commit (KV allows 1000 mutations; the head key is one of them). */
const BATCH_ENTRIES_MAX = 200;
/** UTF-16 units per append commit: at most 3 bytes each, well under KV's 800 KiB per commit. */
const BATCH_UNITS_MAX = 5 * PART_UNITS;

type LogEntry =
  | { origin: string; envelope: Omit<Envelope, "skipSocket"> }
  /** Part `index` of `count` of one envelope's JSON (consecutive entries of one commit). */
  | { origin: string; part: { index: number; count: number; text: string } };

/** One published envelope as its log entries, with the length of its JSON (UTF-16 units). */
interface Pending {
  entries: LogEntry[];
  units: number;
}

export interface KvBusOptions {
  kv: KvBusTransport;
  instanceId: string;
  dispatch(envelope: Envelope): void;
}

export class KvBus implements Bus {
  #options: KvBusOptions;
  #cursor: number;
  #watch: ReadableStreamDefaultReader<Deno.KvEntryMaybe<number>[]>;
  #draining: Promise<void> = Promise.resolve();
  /** Envelopes published and not yet appended, each as its log entries. */
  #pending: Pending[] = [];
  /** The append loop, while one runs. */
  #appending?: Promise<void>;
  #closed = false;
  #queued = false;
  /** A watch may miss a change (it did between two handles of one file): a slow poll backs it. */
  #poll: ReturnType<typeof setInterval>;

  private constructor(options: KvBusOptions, cursor: number) {
    this.#options = options;
    this.#cursor = cursor;
    this.#watch = options.kv.watch<[number]>([HEAD_KEY]).getReader();
    void this.#follow();
    this.#poll = setInterval(() => this.#schedule(), KV_BUS_POLL_MS);
  }

  /** Starts reading the log from its current end. */
  static async start(options: KvBusOptions): Promise<KvBus> {
    const head = await options.kv.get<number>(HEAD_KEY);
    return new KvBus(options, head.value ?? 0);
  }

  publish(envelope: Envelope): void {
    this.#options.dispatch(envelope);
    if (this.#closed) return;
    const { skipSocket: _local, ...shared } = envelope;
    this.#pending.push(this.#entriesOf(shared));
    if (this.#appending) return;
    this.#appending = this.#appendPending();
  }

  /**
   * Appends what is pending, one commit at a time, so the log holds this instance's envelopes in
   * the order they were published (concurrent commits could land in any order, and permission
   * snapshots on other instances apply governance events in log order). What is published while
   * a commit is under way goes in the next one, several envelopes per commit.
   */
  async #appendPending(): Promise<void> {
    while (this.#pending.length > 0) {
      const entries = this.#takeBatch();
      try {
        await this.#append(entries);
      } catch (error) {
        console.error("Could not append to the KV bus; other instances catch up by seq:", error);
      }
    }
    this.#appending = undefined;
  }

  /** Whole envelopes from the front of the queue, within one commit's limits (at least one). */
  #takeBatch(): LogEntry[] {
    const first = this.#pending.shift()!;
    const entries = [...first.entries];
    let units = first.units;
    while (this.#pending.length > 0) {
      const next = this.#pending[0];
      if (entries.length + next.entries.length > BATCH_ENTRIES_MAX) break;
      if (units + next.units > BATCH_UNITS_MAX) break;
      entries.push(...this.#pending.shift()!.entries);
      units += next.units;
    }
    return entries;
  }

  /** The log entries of one envelope: itself, or its JSON in parts if it is too large for one. */
  #entriesOf(envelope: Omit<Envelope, "skipSocket">): Pending {
    const origin = this.#options.instanceId;
    const text = JSON.stringify(envelope);
    if (text.length <= PART_UNITS) return { entries: [{ origin, envelope }], units: text.length };
    const count = Math.ceil(text.length / PART_UNITS);
    const entries = Array.from({ length: count }, (_, index) => ({
      origin,
      part: { index, count, text: text.slice(index * PART_UNITS, (index + 1) * PART_UNITS) },
    }));
    return { entries, units: text.length };
  }

  async #append(entries: LogEntry[]): Promise<void> {
    const { kv } = this.#options;
    await retry(async () => {
      const head = await kv.get<number>(HEAD_KEY);
      const first = (head.value ?? 0) + 1;
      const atomic = kv.atomic().check(head).set(HEAD_KEY, first + entries.length - 1);
      entries.forEach((entry, i) => {
        atomic.set([...EVENTS_PREFIX, first + i], entry, { expireIn: KV_BUS_EVENT_TTL_MS });
      });
      const committed = await atomic.commit();
      return committed.ok ? undefined : TRY_AGAIN;
    }, {
      attempts: MAX_APPEND_ATTEMPTS,
      // A local KV file shared by two handles can be briefly locked; anything else is final.
      isRetryable: isLocked,
      maxBackOffMs: 50,
      exhausted: () => new Error(`${MAX_APPEND_ATTEMPTS} attempts failed: conflicting appends`),
    });
  }

  async #follow(): Promise<void> {
    try {
      while (true) {
        const { done } = await this.#watch.read();
        if (done) return;
        this.#schedule();
      }
    } catch (error) {
      console.error("KV bus watch stopped:", error);
    }
  }

  /**
   * Queues one read of the log from the cursor to its end (at most one waits: a wake-up during a
   * read is covered by the next). A failed read (a locked file) is tried again shortly.
   */
  #schedule(): void {
    if (this.#queued || this.#closed) return;
    this.#queued = true;
    this.#draining = this.#draining
      .then(() => {
        this.#queued = false;
        return this.#drain();
      })
      .catch((error) => {
        if (this.#closed) return;
        console.error("KV bus read failed; retrying:", error);
        setTimeout(() => this.#schedule(), KV_BUS_DRAIN_RETRY_MS);
      });
  }

  /** Reads every log entry after the cursor, whatever head value the wake-up reported. */
  async #drain(): Promise<void> {
    const entries = this.#options.kv.list<LogEntry>({
      prefix: EVENTS_PREFIX,
      start: [...EVENTS_PREFIX, this.#cursor + 1],
    });
    for await (const entry of entries) {
      this.#cursor = entry.key[2] as number;
      const { value } = entry;
      if (value.origin === this.#options.instanceId) continue;
      const envelope = "part" in value ? this.#assemble(value.part) : value.envelope;
      if (envelope) this.#options.dispatch({ ...envelope, origin: value.origin });
    }
  }

  /** Parts read so far of the envelope being put back together (they come one after another). */
  #parts: string[] = [];

  #assemble(part: { index: number; count: number; text: string }): Envelope | undefined {
    // A first part starts afresh (the rest of an earlier one expired, or was never read).
    if (part.index === 0) this.#parts = [];
    if (part.index !== this.#parts.length) return undefined;
    this.#parts.push(part.text);
    if (this.#parts.length < part.count) return undefined;
    const text = this.#parts.join("");
    this.#parts = [];
    return JSON.parse(text) as Envelope;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    await this.#appending;
    await this.#watch.cancel().catch(() => {});
    await this.#draining;
  }
}
