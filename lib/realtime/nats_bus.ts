/**
 * The bus between instances on NATS with JetStream: one stream per deployment
 * (`<prefix>_events`, bounded by age and count), a subject per target
 * (`<prefix>.in.s.<server>`, `.u.<user>`, `.x.<session>`, and `.i` that every instance hears).
 *
 * Publishing stores each frame in the stream, de-duplicated by its id (`Nats-Msg-Id`), so a
 * publish retried after a timeout is stored once. The stream republishes what it stores under
 * `<prefix>.out.…` with its stream sequence (`Nats-Sequence`): each instance subscribes there
 * only to the targets it has sockets for (`follow`; NATS routes by interest), and remembers the
 * last sequence it saw (heartbeats on `.i` move it on at least every few seconds).
 *
 * After a reconnect the instance reads the stream from that sequence to its end, keeping what it
 * follows, then goes on live; only when the stream no longer holds it (trimmed, or lost with the
 * server) does the hub read back from the store (`onResubscribe`).
 *
 * A frame larger than the server's `max_payload` (1 MB by default) goes as parts
 * (bus_frames.ts `splitFrame`), each stored and republished on the frame's subject.
 *
 * Servers of 2.9 take one filter subject per consumer, so live delivery goes through plain
 * subscriptions and only the replay reads the stream (all of it after the sequence, filtered here).
 */
import { connect, nanos } from "@nats-io/transport-node";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import type { JetStreamClient, JetStreamManager, StreamConfig } from "@nats-io/jetstream";
import {
  NATS_DUPLICATE_WINDOW_MS,
  NATS_PUBLISH_ATTEMPTS,
  NATS_REPLAY_MAX,
  NATS_STREAM_MAX_AGE_MS,
  NATS_STREAM_MAX_MSGS,
} from "../limits.ts";
import type { Bus } from "./bus.ts";
import { encodeFrame, FrameReceiver, INSTANCES_KEY, splitFrame, targetKeys } from "./bus_frames.ts";
import type { BusEnvelope } from "./envelope.ts";

export interface NatsBusOptions {
  /** `nats://host:port`, comma-separated for several servers of a cluster. */
  url: string;
  /** Prefixes every subject and the stream: deployments sharing one NATS stay apart. */
  prefix: string;
  instanceId: string;
  dispatch(envelope: BusEnvelope): void;
  /** Called when a replay from the stream could not cover an outage (read back from the store). */
  onResubscribe?(): void;
}

/** Frames read from the stream per fetch during a replay. */
const REPLAY_BATCH = 1000;

/** NATS's default `max_payload`, if the server did not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room kept under `max_payload` for a message's headers (`Nats-Msg-Id`) and subject. */
const HEADER_ROOM_BYTES = 1024;

export class NatsBus implements Bus {
  #options: NatsBusOptions;
  #nc: NatsConnection;
  #js: JetStreamClient;
  #jsm: JetStreamManager;
  #receiver: FrameReceiver;
  #subscriptions = new Map<string, Subscription>();
  /** The highest stream sequence heard (live or replayed). */
  #lastSeq: number;
  /** While a replay runs, live frames wait here (in order) and go after it. */
  #held?: { seq: number; text: string }[];
  #closed = false;
  #publishing = new Set<Promise<void>>();

  private constructor(
    options: NatsBusOptions,
    nc: NatsConnection,
    jsm: JetStreamManager,
    lastSeq: number,
  ) {
    this.#options = options;
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = jetstream(nc);
    this.#lastSeq = lastSeq;
    this.#receiver = new FrameReceiver(options.instanceId, options.dispatch);
    void this.#watchStatus();
  }

  /** Connects, makes sure the stream exists, follows the instances' subject. */
  static async start(options: NatsBusOptions): Promise<NatsBus> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.url.split(",").map((server) => server.trim()),
        name: `salon-${options.instanceId}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      });
    } catch (error) {
      throw new Error(`Could not reach NATS at ${options.url}: ${error}`);
    }
    try {
      const jsm = await jetstreamManager(nc);
      const lastSeq = await ensureStream(jsm, options.prefix);
      const bus = new NatsBus(options, nc, jsm, lastSeq);
      await bus.follow([INSTANCES_KEY]);
      return bus;
    } catch (error) {
      await nc.close();
      throw new Error(`NATS at ${options.url} has no usable JetStream: ${error}`);
    }
  }

  publish(envelope: BusEnvelope): void {
    this.#options.dispatch(envelope);
    if (this.#closed) return;
    const { id, text } = encodeFrame(this.#options.instanceId, envelope);
    const maxBytes = (this.#nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ROOM_BYTES;
    const parts = splitFrame(this.#options.instanceId, id, text, maxBytes);
    targetKeys(envelope.target).forEach((key, i) => {
      parts.forEach((part, p) => {
        // Each part is stored once under its own id; the receiver reorders parts by index.
        const msgID = parts.length === 1 ? `${id}.${i}` : `${id}.${i}.${p}`;
        const publishing = this.#publishOne(this.#subject("in", key), part, msgID);
        this.#publishing.add(publishing);
        void publishing.finally(() => this.#publishing.delete(publishing));
      });
    });
  }

  /** Stores one frame, retried with the same message id (stored once) while NATS is away. */
  async #publishOne(subject: string, text: string, msgID: string): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        await this.#js.publish(subject, text, { msgID });
        return;
      } catch (error) {
        if (attempt >= NATS_PUBLISH_ATTEMPTS || this.#closed) {
          if (!this.#closed) console.error("NATS publish failed; others catch up by seq:", error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  async follow(keys: string[]): Promise<void> {
    if (this.#closed) return;
    let fresh = false;
    for (const key of keys) {
      if (this.#subscriptions.has(key)) continue;
      fresh = true;
      this.#subscriptions.set(
        key,
        this.#nc.subscribe(this.#subject("out", key), {
          callback: (error, msg) => {
            if (!error) this.#live(msg);
          },
        }),
      );
    }
    // Heard from once the server has the subscriptions.
    if (fresh) await this.#nc.flush();
  }

  unfollow(keys: string[]): void {
    for (const key of keys) {
      if (key === INSTANCES_KEY) continue;
      this.#subscriptions.get(key)?.unsubscribe();
      this.#subscriptions.delete(key);
    }
  }

  #live(msg: Msg): void {
    const seq = Number(msg.headers?.get("Nats-Sequence") ?? 0);
    const text = msg.string();
    if (this.#held) {
      this.#held.push({ seq, text });
      return;
    }
    this.#heard(seq, text);
  }

  /** A frame at a stream sequence: once, in order (a replay may have read it already). */
  #heard(seq: number, text: string): void {
    if (seq > 0 && seq <= this.#lastSeq) return;
    if (seq > 0) this.#lastSeq = seq;
    this.#receiver.receive(text);
  }

  async #watchStatus(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (this.#closed) return;
      if (status.type === "disconnect") console.error("NATS bus disconnected (reconnecting)");
      if (status.type === "reconnect") await this.#catchUp();
    }
  }

  /** After a reconnect: the stream from the last sequence seen, else the store. */
  async #catchUp(): Promise<void> {
    this.#held = [];
    let replayed = false;
    try {
      replayed = await this.#replay();
    } catch (error) {
      console.error("NATS replay failed; reading back from the store:", error);
    }
    const held = this.#held;
    this.#held = undefined;
    for (const { seq, text } of held) this.#heard(seq, text);
    if (!replayed && !this.#closed) this.#options.onResubscribe?.();
  }

  /** Reads the stream after the last sequence seen; false if it no longer holds what followed. */
  async #replay(): Promise<boolean> {
    const stream = streamName(this.#options.prefix);
    let state;
    try {
      state = (await this.#jsm.streams.info(stream)).state;
    } catch {
      // Lost with the server's storage: made again; what was in it is gone.
      this.#lastSeq = await ensureStream(this.#jsm, this.#options.prefix);
      return false;
    }
    const end = state.last_seq;
    const from = this.#lastSeq + 1;
    const lost = end < this.#lastSeq || (end >= from && state.first_seq > from) ||
      end - this.#lastSeq > NATS_REPLAY_MAX;
    if (lost) {
      this.#lastSeq = end;
      return false;
    }
    if (end < from) return true;
    const consumer = await this.#js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
    });
    const prefix = `${this.#options.prefix}.in.`;
    while (this.#lastSeq < end && !this.#closed) {
      const messages = await consumer.fetch({
        max_messages: Math.min(REPLAY_BATCH, end - this.#lastSeq),
        expires: 5_000,
      });
      let read = 0;
      for await (const message of messages) {
        read++;
        const key = message.subject.slice(prefix.length);
        if (message.seq <= this.#lastSeq) continue;
        if (!this.#subscriptions.has(key)) {
          this.#lastSeq = message.seq;
          continue;
        }
        this.#heard(message.seq, message.string());
      }
      if (read === 0) throw new Error(`the stream did not deliver up to ${end}`);
    }
    return true;
  }

  #subject(direction: "in" | "out", key: string): string {
    return `${this.#options.prefix}.${direction}.${key}`;
  }

  async close(): Promise<void> {
    // What was published before closing still goes out (or gives up).
    await Promise.all(this.#publishing);
    this.#closed = true;
    await this.#nc.drain().catch(() => this.#nc.close());
  }
}

export function streamName(prefix: string): string {
  return `${prefix}_events`;
}

/** Creates the deployment's stream, or brings its settings up to date; its last sequence. */
async function ensureStream(jsm: JetStreamManager, prefix: string): Promise<number> {
  const config: Partial<StreamConfig> & { name: string } = {
    name: streamName(prefix),
    subjects: [`${prefix}.in.>`],
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(NATS_STREAM_MAX_AGE_MS),
    max_msgs: NATS_STREAM_MAX_MSGS,
    duplicate_window: nanos(NATS_DUPLICATE_WINDOW_MS),
    republish: { src: `${prefix}.in.>`, dest: `${prefix}.out.>` },
  };
  try {
    return (await jsm.streams.add(config)).state.last_seq;
  } catch {
    // It exists (maybe with older settings).
    return (await jsm.streams.update(config.name, config)).state.last_seq;
  }
}
