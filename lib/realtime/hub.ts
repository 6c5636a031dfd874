/**
 * The in-process fan-out: which sockets belong to which user and server, and delivery of bus
 * envelopes to them.
 *
 * - Each event is serialised once per envelope, then handed to each target socket once (a
 *   socket in several targeted servers still gets it once).
 * - `message` events are delivered in per-channel `seq` order: one that arrives early (another
 *   instance, or two local sends finishing out of order) waits while the gap is read from the
 *   store, and one already delivered is dropped.
 * - Presence is counted over all of a user's sockets, here and (through the bus) elsewhere.
 */
import { GAP_RETRY_MS, GAP_WAIT_MS, WS_CLOSE_SESSION_ENDED } from "../limits.ts";
import type { Envelope, Publish } from "./envelope.ts";
import type { WireMessage } from "./protocol.ts";
import type { Subscriber } from "./subscriber.ts";

export interface HubOptions {
  /** This instance's id, stamped on the presence it publishes. */
  instanceId: string;
  /** Reads messages `afterSeq < seq < beforeSeq` of a channel, ascending (gap filling). */
  loadMessages(channelId: string, afterSeq: number, beforeSeq: number): Promise<WireMessage[]>;
}

interface ChannelOrder {
  serverId: string;
  delivered: number;
  /** Early envelopes by seq, waiting for the gap below them. */
  waiting: Map<number, Envelope>;
  filling: boolean;
  gapTimer?: ReturnType<typeof setTimeout>;
}

export class Hub {
  #options: HubOptions;
  #publish: Publish = () => {};
  #byServer = new Map<string, Set<Subscriber>>();
  #byUser = new Map<string, Set<Subscriber>>();
  #serversOfSocket = new Map<Subscriber, Set<string>>();
  #channels = new Map<string, ChannelOrder>();
  /** Users online on other instances: user id → instance ids. */
  #remoteOnline = new Map<string, Set<string>>();

  constructor(options: HubOptions) {
    this.#options = options;
  }

  /** Connects the hub to the bus it publishes presence on. */
  attach(publish: Publish): void {
    this.#publish = publish;
  }

  /** Sockets currently registered (for metrics and shutdown). */
  get sockets(): Subscriber[] {
    return [...this.#serversOfSocket.keys()];
  }

  /** Registers an authenticated socket for its user's servers. */
  add(socket: Subscriber, serverIds: string[]): void {
    this.#serversOfSocket.set(socket, new Set());
    for (const serverId of serverIds) this.#subscribe(socket, serverId);
    const sockets = this.#byUser.get(socket.userId) ?? new Set();
    sockets.add(socket);
    this.#byUser.set(socket.userId, sockets);
    if (sockets.size === 1) this.#announcePresence(socket.userId, true, serverIds);
  }

  /** Unregisters a socket (closed). */
  remove(socket: Subscriber): void {
    const servers = this.#serversOfSocket.get(socket);
    if (!servers) return;
    this.#serversOfSocket.delete(socket);
    for (const serverId of servers) this.#byServer.get(serverId)?.delete(socket);
    const sockets = this.#byUser.get(socket.userId);
    sockets?.delete(socket);
    if (sockets?.size === 0) {
      this.#byUser.delete(socket.userId);
      this.#announcePresence(socket.userId, false, [...servers]);
    }
  }

  /** Starts the per-channel order of channels this instance has not seen yet (from `ready`). */
  trackChannels(channels: { channelId: string; serverId: string; lastSeq: number }[]): void {
    for (const { channelId, serverId, lastSeq } of channels) {
      this.#trackChannel(channelId, serverId, lastSeq);
    }
  }

  /**
   * Catches up after the bus may have lost events (its connection dropped): every channel
   * with sockets here is read from the store above what it delivered.
   */
  resync(): void {
    for (const [channelId, order] of this.#channels) {
      if (this.#byServer.get(order.serverId)?.size) void this.#fillGap(channelId, order, true);
    }
  }

  /** Stops pending gap timers (shutdown). */
  close(): void {
    for (const order of this.#channels.values()) clearTimeout(order.gapTimer);
  }

  /** True if the user has a socket here or on another instance. */
  isOnline(userId: string): boolean {
    return this.#byUser.has(userId) || (this.#remoteOnline.get(userId)?.size ?? 0) > 0;
  }

  /** Delivers an envelope from the bus to this instance's sockets. */
  dispatch(envelope: Envelope): void {
    const { event } = envelope;
    if (event.type === "presence" && envelope.origin !== undefined) {
      if (!this.#notePresence(envelope.origin, event.userId, event.status === "online")) return;
    }
    if (event.type === "server_joined" && "user" in envelope.target) {
      for (const socket of this.#byUser.get(envelope.target.user) ?? []) {
        this.#subscribe(socket, event.server.id);
      }
      for (const channel of event.channels) this.#trackChannel(channel.id, channel.serverId, 0);
    }
    if (event.type === "channel_created") {
      this.#trackChannel(event.channel.id, event.channel.serverId, 0);
    }
    if (envelope.order) {
      this.#dispatchInOrder(envelope);
    } else {
      this.#deliver(envelope);
    }
    if (event.type === "server_left" && "user" in envelope.target) {
      for (const socket of this.#byUser.get(envelope.target.user) ?? []) {
        this.#unsubscribe(socket, event.serverId);
      }
    }
    if ("session" in envelope.target) {
      for (const socket of this.#targets(envelope)) {
        socket.close(WS_CLOSE_SESSION_ENDED, "session ended");
      }
    }
  }

  #targets(envelope: Envelope): Set<Subscriber> {
    const { target } = envelope;
    if ("user" in target) return this.#byUser.get(target.user) ?? new Set();
    if ("session" in target) {
      return new Set(this.sockets.filter((socket) => socket.sessionId === target.session));
    }
    if (target.servers.length === 1) return this.#byServer.get(target.servers[0]) ?? new Set();
    const sockets = new Set<Subscriber>();
    for (const serverId of target.servers) {
      for (const socket of this.#byServer.get(serverId) ?? []) sockets.add(socket);
    }
    return sockets;
  }

  #deliver(envelope: Envelope): void {
    const targets = this.#targets(envelope);
    if (targets.size === 0) return;
    const text = JSON.stringify(envelope.event);
    for (const socket of targets) {
      if (socket.id !== envelope.skipSocket) socket.deliver(text, envelope.order);
    }
  }

  #trackChannel(channelId: string, serverId: string, lastSeq: number): void {
    if (!this.#channels.has(channelId)) {
      this.#channels.set(channelId, {
        serverId,
        delivered: lastSeq,
        waiting: new Map(),
        filling: false,
      });
    }
  }

  #dispatchInOrder(envelope: Envelope): void {
    const { channelId, seq } = envelope.order!;
    let order = this.#channels.get(channelId);
    if (!order) {
      // No socket here has seen this channel: nobody to order for yet.
      if (this.#targets(envelope).size === 0) return;
      const { target } = envelope;
      this.#trackChannel(channelId, "servers" in target ? target.servers[0] : "", seq - 1);
      order = this.#channels.get(channelId)!;
    }
    if (seq <= order.delivered) return;
    if (seq === order.delivered + 1 && !order.filling) {
      order.delivered = seq;
      this.#deliver(envelope);
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
      this.#deliver(next);
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
      const everyone = { servers: [order.serverId] };
      if (readToEnd) await this.#readStore(channelId, order, Number.MAX_SAFE_INTEGER, everyone);
      while (order.waiting.size > 0) {
        const next = Math.min(...order.waiting.keys());
        const envelope = order.waiting.get(next)!;
        await this.#readStore(channelId, order, next, envelope.target);
        // Whatever is still missing below `next` was deleted meanwhile.
        order.waiting.delete(next);
        if (next > order.delivered) {
          order.delivered = next;
          this.#deliver(envelope);
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
      const missing = await this.#options.loadMessages(channelId, order.delivered, before);
      if (missing.length === 0) return;
      for (const message of missing) {
        if (message.seq <= order.delivered) continue;
        order.delivered = message.seq;
        this.#deliver({
          target,
          event: { type: "message", message },
          order: { channelId, seq: message.seq },
        });
      }
    }
  }

  #subscribe(socket: Subscriber, serverId: string): void {
    const sockets = this.#byServer.get(serverId) ?? new Set();
    sockets.add(socket);
    this.#byServer.set(serverId, sockets);
    this.#serversOfSocket.get(socket)?.add(serverId);
  }

  #unsubscribe(socket: Subscriber, serverId: string): void {
    this.#byServer.get(serverId)?.delete(socket);
    this.#serversOfSocket.get(socket)?.delete(serverId);
  }

  /** Publishes a local presence change; other instances count it as theirs. */
  #announcePresence(userId: string, online: boolean, serverIds: string[]): void {
    if (serverIds.length === 0) return;
    // Another instance may still hold a socket of this user: then nothing changed for anyone.
    if (!online && this.isOnline(userId)) return;
    this.#publish({
      target: { servers: serverIds },
      event: { type: "presence", userId, status: online ? "online" : "offline" },
      origin: this.#options.instanceId,
    });
  }

  /** Records another instance's presence report; true if the user's status changed. */
  #notePresence(origin: string, userId: string, online: boolean): boolean {
    if (origin === this.#options.instanceId) return true;
    const before = this.isOnline(userId);
    const instances = this.#remoteOnline.get(userId) ?? new Set<string>();
    if (online) instances.add(origin);
    else instances.delete(origin);
    if (instances.size > 0) this.#remoteOnline.set(userId, instances);
    else this.#remoteOnline.delete(userId);
    return this.isOnline(userId) !== before;
  }
}
