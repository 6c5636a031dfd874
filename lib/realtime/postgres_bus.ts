/**
 * The bus between instances sharing one PostgreSQL database: LISTEN/NOTIFY on one channel.
 *
 * NOTIFY payloads are limited to 8000 bytes, so an event carrying a long message is sent as a
 * reference (its id) and each receiver loads it from the database; any other event that large
 * (a channel with many overwrites, a `server_joined` listing many channels) is cut into parts
 * that the receivers put back together: permission snapshots on other instances must see every
 * change, however large. If the LISTEN connection
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

/** UTF-16 units of an envelope's JSON per part: at most 3 UTF-8 bytes each, and quotes or
 * backslashes escaped to 2, so a part's NOTIFY stays under MAX_INLINE_PAYLOAD_BYTES. */
const PART_UNITS = 1800;
/** Parts of an envelope still incomplete after this long are given up (a sender died). */
const PART_TTL_MS = 60_000;

interface Reference {
  ref: { type: "message" | "message_updated"; id: string };
}
/** One part of a large envelope's JSON (`index` of `count`, all sharing `id`). */
interface Part {
  part: { id: string; index: number; count: number; text: string };
}
type Wire =
  | Omit<Envelope, "skipSocket">
  | (Omit<Envelope, "event" | "skipSocket"> & Reference)
  | Part;

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
      (payload) => bus.#received(payload),
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
        return this.#queue(...partsOf(payload));
      }
      const wire: Wire = { ...rest, ref: { type: event.type, id: event.message.id } };
      payload = JSON.stringify(wire);
    }
    this.#queue(payload);
  }

  /**
   * Events published in the same tick share NOTIFYs: one query for many events. One NOTIFY is
   * in flight at a time, so they commit (and reach listeners) in the order published — a large
   * event's parts, and whatever follows them, included; what is published meanwhile waits and
   * goes in the next, larger batch.
   */
  #queue(...payloads: string[]): void {
    this.#pending.push(...payloads);
    if (this.#flushing) return;
    this.#flushing = new Promise((resolve) => queueMicrotask(() => this.#flush().then(resolve)));
  }

  #pending: string[] = [];
  /** The NOTIFYs being sent, while they are (close waits for them). */
  #flushing?: Promise<void>;
  /** Payloads received, handled one after another (a referenced message is loaded in turn). */
  #receiving: Promise<void> = Promise.resolve();

  /**
   * UTF-8 length, counted without encoding. (It once returned the UTF-16 length of short texts:
   * batched together, several short parts of non-ASCII text made a NOTIFY over 8000 bytes, which
   * PostgreSQL refused; found by the bus contract suite.)
   */
  #bytes(text: string): number {
    let bytes = text.length;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      // Extra bytes: 1 up to U+07FF, 2 beyond; a surrogate pair is 4 bytes for its 2 units.
      if (unit >= 0x80) bytes += unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 1 : 2;
    }
    return bytes;
  }

  /** Sends the pending payloads as JSON arrays under the NOTIFY size limit, one at a time. */
  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      for (const notification of this.#batches(this.#pending.splice(0))) {
        try {
          await this.#sql.notify(this.#channel, notification);
        } catch (error) {
          console.error("NOTIFY failed; other instances will catch up by seq:", error);
        }
      }
    }
    this.#flushing = undefined;
  }

  /** The payloads as NOTIFY texts: `<instance id>\n[payload,…]`, each under the limit. */
  #batches(payloads: string[]): string[] {
    const origin = `${this.#options.instanceId}\n`;
    const notifications: string[] = [];
    let batch: string[] = [];
    let size = origin.length + 2;
    const cut = () => {
      if (batch.length > 0) notifications.push(`${origin}[${batch.join(",")}]`);
      batch = [];
      size = origin.length + 2;
    };
    for (const payload of payloads) {
      const bytes = this.#bytes(payload) + 1;
      if (size + bytes > MAX_INLINE_PAYLOAD_BYTES) cut();
      batch.push(payload);
      size += bytes;
    }
    cut();
    return notifications;
  }

  /** Queues a received payload behind the ones before it, so events dispatch in order. */
  #received(payload: string): void {
    this.#receiving = this.#receiving.then(() => this.#receive(payload));
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

  /** Parts of large envelopes being received, by id. */
  #parts = new Map<
    string,
    { texts: string[]; received: number; timer: ReturnType<typeof setTimeout> }
  >();

  /** Puts a part with the others of its envelope; the whole envelope once it is complete. */
  #assemble({ part }: Part): Exclude<Wire, Part> | undefined {
    const entry = this.#parts.get(part.id) ?? {
      texts: new Array<string>(part.count),
      received: 0,
      timer: setTimeout(() => this.#parts.delete(part.id), PART_TTL_MS),
    };
    this.#parts.set(part.id, entry);
    if (entry.texts[part.index] === undefined) entry.received++;
    entry.texts[part.index] = part.text;
    if (entry.received < part.count) return undefined;
    clearTimeout(entry.timer);
    this.#parts.delete(part.id);
    return JSON.parse(entry.texts.join("")) as Exclude<Wire, Part>;
  }

  async #receiveOne(received: Wire & { origin?: string }): Promise<void> {
    try {
      let wire: Exclude<Wire, Part>;
      if ("part" in received) {
        const whole = this.#assemble(received);
        if (!whole) return;
        wire = { ...whole, origin: received.origin };
      } else {
        wire = received;
      }
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
    for (const { timer } of this.#parts.values()) clearTimeout(timer);
    // What was published before closing still goes out (and does not fail on an ended pool).
    await this.#flushing;
    await this.#sql.end({ timeout: 5 });
  }
}

/** An envelope's JSON cut into parts small enough for one NOTIFY each. */
function partsOf(payload: string): string[] {
  const id = crypto.randomUUID();
  const count = Math.ceil(payload.length / PART_UNITS);
  return Array.from({ length: count }, (_, index) => {
    const text = payload.slice(index * PART_UNITS, (index + 1) * PART_UNITS);
    return JSON.stringify({ part: { id, index, count, text } } satisfies Part);
  });
}
