/**
 * The bus between instances on Redis 7 (or Valkey): a channel per target (`<prefix>:s.<server>`,
 * `<prefix>:u.<user>`, `<prefix>:x.<session>`, and `<prefix>:i` that every instance hears), each
 * instance subscribed only to the targets it has sockets for (`follow`). Payloads go inline: no
 * size limit that matters, nothing re-read from the database.
 *
 * Sharded pub/sub (SPUBLISH/SSUBSCRIBE): a channel lives on the shard of its key's slot, so a
 * cluster spreads the traffic instead of copying every message to every node (a single node
 * accepts the same commands). One endpoint is used as given: a cluster needs a client that
 * follows MOVED redirections, which this one does not set up.
 *
 * Pub/sub keeps nothing: after the subscriber's connection drops, it subscribes again to
 * everything it follows, then `onResubscribe` lets the hub read back by seq what it missed.
 */
import { Redis } from "ioredis";
import type { Bus } from "./bus.ts";
import { encodeFrame, FrameReceiver, INSTANCES_KEY, targetKeys } from "./bus_frames.ts";
import type { BusEnvelope } from "./envelope.ts";

export interface RedisBusOptions {
  url: string;
  /** Prefixes every channel: deployments sharing one Redis stay apart. */
  prefix: string;
  instanceId: string;
  dispatch(envelope: BusEnvelope): void;
  /** Called once the subscriptions are back after a dropped connection. */
  onResubscribe?(): void;
}

export class RedisBus implements Bus {
  #options: RedisBusOptions;
  /** Commands (SPUBLISH): a subscribed connection can do nothing else. */
  #publisher: Redis;
  #subscriber: Redis;
  #receiver: FrameReceiver;
  /** The keys followed, subscribed again after a reconnect. */
  #keys = new Set<string>();
  #closed = false;
  /** One "connection lost" line per outage, not one per reconnect attempt. */
  #failing = false;

  private constructor(options: RedisBusOptions) {
    this.#options = options;
    this.#receiver = new FrameReceiver(options.instanceId, options.dispatch);
    const connection = (name: string) => {
      const redis = new Redis(options.url, {
        lazyConnect: true,
        connectionName: `salon-${name}-${options.instanceId}`,
        // Subscriptions are renewed by us, so the hub hears when they are back.
        autoResubscribe: false,
      });
      redis.on("error", (error: Error) => this.#failed(name, error));
      return redis;
    };
    this.#publisher = connection("publisher");
    this.#subscriber = connection("subscriber");
    this.#subscriber.on("smessage", (_channel: string, text: string) => {
      this.#receiver.receive(text);
    });
  }

  /** Connects both connections and follows the instances' channel; resolves once heard. */
  static async start(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    try {
      await Promise.all([bus.#publisher.connect(), bus.#subscriber.connect()]);
      await bus.follow([INSTANCES_KEY]);
    } catch (error) {
      bus.#publisher.disconnect();
      bus.#subscriber.disconnect();
      throw new Error(`Could not reach Redis at ${redacted(options.url)}: ${error}`);
    }
    // Every later "ready" is a reconnect: subscribe again, then the hub catches up.
    bus.#subscriber.on("ready", () => void bus.#resubscribe());
    bus.#publisher.on("ready", () => bus.#recovered());
    return bus;
  }

  publish(envelope: BusEnvelope): void {
    this.#options.dispatch(envelope);
    if (this.#closed) return;
    const { text } = encodeFrame(this.#options.instanceId, envelope);
    for (const key of targetKeys(envelope.target)) {
      this.#publisher.spublish(this.#channel(key), text).catch((error: unknown) => {
        // Queued while disconnected, then given up: the receivers catch up by seq.
        if (!this.#closed) console.error("Redis SPUBLISH failed; others catch up by seq:", error);
      });
    }
  }

  async follow(keys: string[]): Promise<void> {
    const fresh = keys.filter((key) => !this.#keys.has(key));
    for (const key of fresh) this.#keys.add(key);
    if (fresh.length === 0 || this.#closed) return;
    // One channel per command: in a cluster, channels of one SSUBSCRIBE must share a slot.
    await Promise.all(fresh.map((key) => this.#subscriber.ssubscribe(this.#channel(key))));
  }

  unfollow(keys: string[]): void {
    const gone = keys.filter((key) => key !== INSTANCES_KEY && this.#keys.delete(key));
    if (gone.length === 0 || this.#closed) return;
    for (const key of gone) {
      this.#subscriber.sunsubscribe(this.#channel(key)).catch(() => {
        // Dropped connection: nothing to unsubscribe from, and it is not renewed.
      });
    }
  }

  async #resubscribe(): Promise<void> {
    this.#recovered();
    try {
      const keys = [...this.#keys];
      await Promise.all(keys.map((key) => this.#subscriber.ssubscribe(this.#channel(key))));
    } catch (error) {
      // The connection dropped again: its next "ready" tries again.
      console.error("Redis bus could not subscribe again:", error);
      return;
    }
    if (!this.#closed) this.#options.onResubscribe?.();
  }

  #failed(name: string, error: Error): void {
    if (this.#failing || this.#closed) return;
    this.#failing = true;
    console.error(`Redis bus ${name} connection lost (reconnecting):`, error.message);
  }

  #recovered(): void {
    if (this.#failing) console.error("Redis bus connection back");
    this.#failing = false;
  }

  #channel(key: string): string {
    return `${this.#options.prefix}:${key}`;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriber.disconnect();
    // What was published before closing still goes out.
    await this.#publisher.quit().catch(() => this.#publisher.disconnect());
  }
}

/** The URL without its password, for messages. */
export function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
