/**
 * Per-channel `seq` order of `message` envelopes on one instance: one that arrives early
 * (another instance, or two local sends finishing out of order) waits while the gap is read
 * from the store, and one already delivered is dropped. The hub owns routing; this owns order.
 */
import { GAP_RETRY_MS, GAP_WAIT_MS } from "../limits.ts";
import type { Envelope } from "./envelope.ts";
import type { WireMessage } from "./protocol.ts";

/** What the orders need of the hub. */
export interface ChannelOrderHooks {
  /** Reads messages `afterSeq < seq < beforeSeq` of a channel, ascending (gap filling). */
  loadMessages(channelId: string, afterSeq: number, beforeSeq: number): Promise<WireMessage[]>;
  /** Delivers an envelope whose turn has come. */
  deliver(envelope: Envelope): void;
  /** True if some local socket is targeted by the envelope. */
  hasTargets(envelope: Envelope): boolean;
  /** True if some local socket is subscribed to the server. */
  hasSockets(serverId: string): boolean;
}

interface ChannelOrder {
  serverId: string;
  delivered: number;
  /** Early envelopes by seq, waiting for the gap below them. */
  waiting: Map<number, Envelope>;
  filling: boolean;
  gapTimer?: ReturnType<typeof setTimeout>;
}

export class ChannelOrders {
  #hooks: ChannelOrderHooks;
  #orders = new Map<string, ChannelOrder>();

  constructor(hooks: ChannelOrderHooks) {
    this.#hooks = hooks;
  }

  /**
   * Catches up after the bus may have lost events: every channel with sockets here is read
   * from the store above what it delivered.
   */
  resync(): void {
    for (const [channelId, order] of this.#orders) {
      if (this.#hooks.hasSockets(order.serverId)) void this.#fillGap(channelId, order, true);
    }
  }

  /** Forgets every channel of a server (deleted). */
  untrackServer(serverId: string): void {
    for (const [channelId, order] of this.#orders) {
      if (order.serverId === serverId) this.untrack(channelId);
    }
  }

  /** Stops pending gap timers (shutdown). */
  close(): void {
    for (const order of this.#orders.values()) clearTimeout(order.gapTimer);
  }

  /** Starts a channel's order at `lastSeq` (no-op if it has one). */
  track(channelId: string, serverId: string, lastSeq: number): void {
    if (!this.#orders.has(channelId)) {
      this.#orders.set(channelId, {
        serverId,
        delivered: lastSeq,
        waiting: new Map(),
        filling: false,
      });
    }
  }

  /** Forgets a channel's order (deleted). */
  untrack(channelId: string): void {
    const order = this.#orders.get(channelId);
    if (!order) return;
    clearTimeout(order.gapTimer);
    this.#orders.delete(channelId);
  }

  /** Delivers a `message` envelope in its channel's seq order. */
  dispatch(envelope: Envelope): void {
    const { channelId, seq } = envelope.order!;
    let order = this.#orders.get(channelId);
    if (!order) {
      // No socket here has seen this channel: nobody to order for yet.
      if (!this.#hooks.hasTargets(envelope)) return;
      const { target } = envelope;
      this.track(channelId, "servers" in target ? target.servers[0] : "", seq - 1);
      order = this.#orders.get(channelId)!;
    }
    if (seq <= order.delivered) return;
    if (seq === order.delivered + 1 && !order.filling) {
      order.delivered = seq;
      this.#hooks.deliver(envelope);
      this.#drainContiguous(order);
      return;
    }
    order.waiting.set(seq, envelope);
    // The missing one is usually a moment behind (a concurrent send whose commit finished
    // later): wait briefly for it before reading the gap from the store.
    order.gapTimer ??= setTimeout(() => {
      order.gapTimer = undefined;
      void this.#fillGap(channelId, order);
    }, GAP_WAIT_MS);
  }

  /** Delivers waiting envelopes that now follow without a gap. */
  #drainContiguous(order: ChannelOrder): void {
    let next: Envelope | undefined;
    while ((next = order.waiting.get(order.delivered + 1))) {
      order.waiting.delete(order.delivered + 1);
      order.delivered++;
      this.#hooks.deliver(next);
    }
    if (order.waiting.size === 0 && order.gapTimer !== undefined) {
      clearTimeout(order.gapTimer);
      order.gapTimer = undefined;
    }
  }

  /**
   * Reads what is missing below the earliest waiting message from the store, then delivers in
   * order; with `readToEnd`, first everything the store has above what was delivered.
   */
  async #fillGap(channelId: string, order: ChannelOrder, readToEnd = false): Promise<void> {
    if (order.filling) return;
    order.filling = true;
    try {
      const everyone = { servers: [order.serverId], channel: channelId };
      if (readToEnd) await this.#readStore(channelId, order, Number.MAX_SAFE_INTEGER, everyone);
      while (order.waiting.size > 0) {
        const next = Math.min(...order.waiting.keys());
        const envelope = order.waiting.get(next)!;
        await this.#readStore(channelId, order, next, envelope.target);
        // Whatever is still missing below `next` was deleted meanwhile.
        order.waiting.delete(next);
        if (next > order.delivered) {
          order.delivered = next;
          this.#hooks.deliver(envelope);
        }
      }
    } catch (error) {
      console.error(`Could not read the message gap of channel ${channelId}; retrying:`, error);
      order.gapTimer ??= setTimeout(() => {
        order.gapTimer = undefined;
        void this.#fillGap(channelId, order, readToEnd);
      }, GAP_RETRY_MS);
    } finally {
      order.filling = false;
    }
  }

  /** Delivers the stored messages above `delivered` and below `before`, in seq order. */
  async #readStore(
    channelId: string,
    order: ChannelOrder,
    before: number,
    target: Envelope["target"],
  ): Promise<void> {
    while (before > order.delivered + 1) {
      const missing = await this.#hooks.loadMessages(channelId, order.delivered, before);
      if (missing.length === 0) return;
      for (const message of missing) {
        if (message.seq <= order.delivered) continue;
        order.delivered = message.seq;
        this.#hooks.deliver({
          target,
          event: { type: "message", message },
          order: { channelId, seq: message.seq },
        });
      }
    }
  }
}
