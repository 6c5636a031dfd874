/**
 * The bus between instances that share one Deno KV database (Deno Deploy, where instances are
 * isolated but see the same KV).
 *
 * Each published envelope is appended to a short-lived log under the next number of a head key,
 * in one atomic commit. Every instance watches the head key: `kv.watch` may skip states, so a
 * wake-up only says "something changed" and the instance reads the log from its own cursor.
 * Message order is restored by the hub from per-channel seq, reading any gap from the store.
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

interface LogEntry {
  origin: string;
  envelope: Omit<Envelope, "skipSocket">;
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
  #appending = new Set<Promise<void>>();
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
    const appending = this.#append({ origin: this.#options.instanceId, envelope: shared })
      .catch((error) => {
        console.error("Could not append to the KV bus; other instances catch up by seq:", error);
      })
      .finally(() => this.#appending.delete(appending));
    this.#appending.add(appending);
  }

  async #append(entry: LogEntry): Promise<void> {
    const { kv } = this.#options;
    await retry(async () => {
      const head = await kv.get<number>(HEAD_KEY);
      const next = (head.value ?? 0) + 1;
      const committed = await kv.atomic()
        .check(head)
        .set(HEAD_KEY, next)
        .set([...EVENTS_PREFIX, next], entry, { expireIn: KV_BUS_EVENT_TTL_MS })
        .commit();
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
      if (entry.value.origin !== this.#options.instanceId) {
        this.#options.dispatch({ ...entry.value.envelope, origin: entry.value.origin });
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    await Promise.all(this.#appending);
    await this.#watch.cancel().catch(() => {});
    await this.#draining;
  }
}
