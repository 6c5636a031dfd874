/**
 * The bus between instances sharing one PostgreSQL database: LISTEN/NOTIFY on one channel.
 *
 * NOTIFY payloads are limited to 8000 bytes, so an event carrying a long message is sent as a
 * reference (its id) and each receiver loads it from the database. If the LISTEN connection
 * drops, postgres.js reconnects and re-listens; `onResubscribe` then lets the caller resync
 * (anything published while it was down is read back from the store by seq).
 *
 * A payload is `<instance id>\n<JSON array of events>`: every instance hears its own NOTIFYs
 * too, and drops them by the prefix without parsing them.
 */
import postgres from "postgres";
import type { Sql } from "postgres";
import type { Bus } from "./bus.ts";
import type { Envelope } from "./envelope.ts";
import type { WireMessage } from "./protocol.ts";

export const NOTIFY_CHANNEL = "salon_events";
/** Below PostgreSQL's 8000-byte payload limit, with room for the envelope around a reference. */
const MAX_INLINE_PAYLOAD_BYTES = 7000;

interface Reference {
  ref: { type: "message" | "message_updated"; id: string };
}
type Wire = Omit<Envelope, "skipSocket"> | (Omit<Envelope, "event" | "skipSocket"> & Reference);

export interface PostgresBusOptions {
  url: string;
  /** The NOTIFY channel; all instances of one deployment must use the same. */
  channel?: string;
  instanceId: string;
  dispatch(envelope: Envelope): void;
  /** Loads a message by id, for events sent by reference. */
  loadMessage(id: string): Promise<WireMessage | null>;
  /** Called when LISTEN is re-established after a drop. */
  onResubscribe?(): void;
}

export class PostgresBus implements Bus {
  #sql: Sql;
  #options: PostgresBusOptions;
  #encoder = new TextEncoder();
  #channel: string;

  private constructor(sql: Sql, options: PostgresBusOptions) {
    this.#sql = sql;
    this.#options = options;
    this.#channel = options.channel ?? NOTIFY_CHANNEL;
  }

  /** Connects and starts listening; resolves once LISTEN is active. */
  static async start(options: PostgresBusOptions): Promise<PostgresBus> {
    // Its own small pool: LISTEN holds a connection, and NOTIFY must not queue behind queries.
    const sql = postgres(options.url, { max: 2, onnotice: () => {} });
    const bus = new PostgresBus(sql, options);
    let listening = false;
    await sql.listen(
      bus.#channel,
      (payload) => void bus.#receive(payload),
      () => {
        if (listening) options.onResubscribe?.();
        listening = true;
      },
    );
    return bus;
  }

  publish(envelope: Envelope): void {
    this.#options.dispatch(envelope);
    const { skipSocket: _local, ...shared } = envelope;
    let payload = JSON.stringify(shared);
    if (this.#bytes(payload) > MAX_INLINE_PAYLOAD_BYTES) {
      const { event, ...rest } = shared;
      if (event.type !== "message" && event.type !== "message_updated") {
        console.error(`Event ${event.type} is too large for NOTIFY; not sent to other instances`);
        return;
      }
      const wire: Wire = { ...rest, ref: { type: event.type, id: event.message.id } };
      payload = JSON.stringify(wire);
    }
    // Events published in the same tick share NOTIFYs: one query for many events.
    this.#pending.push(payload);
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
  }

  #pending: string[] = [];

  /** UTF-8 length; only a string that might be over the limit is encoded to know. */
  #bytes(text: string): number {
    return text.length * 3 <= MAX_INLINE_PAYLOAD_BYTES
      ? text.length
      : this.#encoder.encode(text).length;
  }

  /** Sends the pending payloads as JSON arrays, each under the NOTIFY size limit. */
  #flush(): void {
    const payloads = this.#pending.splice(0);
    const origin = `${this.#options.instanceId}\n`;
    let batch: string[] = [];
    let size = origin.length + 2;
    const send = () => {
      if (batch.length === 0) return;
      this.#sql.notify(this.#channel, `${origin}[${batch.join(",")}]`).catch((error) => {
        console.error("NOTIFY failed; other instances will catch up by seq:", error);
      });
      batch = [];
      size = origin.length + 2;
    };
    for (const payload of payloads) {
      const bytes = this.#bytes(payload) + 1;
      if (size + bytes > MAX_INLINE_PAYLOAD_BYTES) send();
      batch.push(payload);
      size += bytes;
    }
    send();
  }

  async #receive(payload: string): Promise<void> {
    const newline = payload.indexOf("\n");
    const origin = payload.slice(0, newline);
    if (origin === this.#options.instanceId) return; // our own
    try {
      // In order: a batch's events are dispatched one after another.
      const wires = JSON.parse(payload.slice(newline + 1)) as Wire[];
      for (const wire of wires) await this.#receiveOne({ ...wire, origin });
    } catch (error) {
      console.error("Dropped a malformed bus payload:", error);
    }
  }

  async #receiveOne(wire: Wire): Promise<void> {
    try {
      if ("ref" in wire) {
        const { ref, ...rest } = wire;
        const message = await this.#options.loadMessage(ref.id);
        if (!message) return;
        this.#options.dispatch({ ...rest, event: { type: ref.type, message } });
      } else {
        this.#options.dispatch(wire);
      }
    } catch (error) {
      console.error("Dropped a bus event:", error);
    }
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }
}
