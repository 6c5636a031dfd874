/**
 * Which of the hub's events one socket may write now: the ordering rules of a socket's
 * `message` events, with no socket and no timer inside (the caller writes what it is given and
 * owns the clock), so every rule can be tested alone.
 *
 * Per channel, the socket's stream has no gap and no duplicate and goes up by seq:
 * - before `ready` is sent, every event waits; when it goes out, messages that `ready`'s lastSeq
 *   already counted drop;
 * - just after `ready`, if no `resume` came yet, live messages wait a moment for one (the grace
 *   moment; other events pass);
 * - while a `resume` replays a channel from the store, that channel's live messages wait, then
 *   only those above what the replay sent go out; other channels are not held;
 * - a message at or below the highest seq written for its channel drops.
 *
 * The hot path (`admit` once `ready` is out and nothing is held) allocates nothing: a fan-out
 * calls it for thousands of sockets per message.
 */

/** Where a `message` event stands in its channel. */
export interface Order {
  channelId: string;
  seq: number;
}

/** An event waiting in the gate: its text and, for a message, its order. */
interface Held {
  text: string;
  order?: Order;
}

/** The gate's view of one channel. */
interface ChannelGate {
  /** Highest seq written, live or replayed (0: none). */
  sent: number;
  /** Lowest seq written live (0: none yet); a replay reads below it, live covers the rest. */
  firstLive: number;
  /** Live messages waiting for the channel's replay (null: not being replayed). */
  held: Held[] | null;
}

type Phase = "before_ready" | "grace" | "live";

export class DeliveryGate {
  #phase: Phase = "before_ready";
  /** Before `ready`: every event; in the grace moment: messages. */
  #waiting: Held[] = [];
  #channels = new Map<string, ChannelGate>();

  /** True while live messages wait for a `resume` that may follow `ready`. */
  get awaitingResume(): boolean {
    return this.#phase === "grace";
  }

  /** An event from the hub: true if it is to be written now, false if it waits or drops. */
  admit(text: string, order?: Order): boolean {
    if (this.#phase !== "live") {
      if (this.#phase === "before_ready" || order) {
        this.#waiting.push({ text, order });
        return false;
      }
      return true;
    }
    if (!order) return true;
    const channel = this.#channels.get(order.channelId) ?? this.#track(order.channelId);
    if (channel.held) {
      channel.held.push({ text, order });
      return false;
    }
    if (order.seq <= channel.sent) return false;
    channel.sent = order.seq;
    if (channel.firstLive === 0) channel.firstLive = order.seq;
    return true;
  }

  /**
   * `ready` was written, with `readySeqs` (lastSeq per channel): returns what waited, minus
   * what `ready` counted. `resumed`: the channels of a `resume` that came before `ready` (they
   * wait for their replay); undefined if none came, and then the grace moment begins (end it
   * with `endGrace`).
   */
  ready(readySeqs: ReadonlyMap<string, number>, resumed: readonly string[] | undefined): string[] {
    for (const channelId of resumed ?? []) this.holdForReplay(channelId);
    this.#phase = resumed ? "live" : "grace";
    const waited = this.#waiting;
    this.#waiting = [];
    const out: string[] = [];
    for (const { text, order } of waited) {
      // A resumed channel's replay reads the counted ones from the store if the client lacks them.
      const counted = order && order.seq <= (readySeqs.get(order.channelId) ?? 0);
      if (!counted && this.admit(text, order)) out.push(text);
    }
    return out;
  }

  /**
   * The grace moment is over (its time ran out, or a `resume` came naming `resumed`, whose
   * channels now wait for their replay): returns the messages that waited and may go now.
   */
  endGrace(resumed: readonly string[] = []): string[] {
    if (this.#phase !== "grace") return [];
    this.#phase = "live";
    for (const channelId of resumed) this.holdForReplay(channelId);
    return this.#readmit(this.#waiting.splice(0));
  }

  /** The channel's live messages wait until `release` (a replay is about to read the store). */
  holdForReplay(channelId: string): void {
    const channel = this.#channels.get(channelId) ?? this.#track(channelId);
    channel.held ??= [];
  }

  /** The seq a replay of the channel reads below (undefined: all): live messages cover the rest. */
  replayBound(channelId: string): number | undefined {
    return this.#channels.get(channelId)?.firstLive || undefined;
  }

  /** A replay wrote the channel's messages up to `seq`. */
  replayed(channelId: string, seq: number): void {
    const channel = this.#channels.get(channelId) ?? this.#track(channelId);
    channel.sent = Math.max(channel.sent, seq);
  }

  /** The channel's replay is over (done or failed): returns its waiting messages not yet sent. */
  release(channelId: string): string[] {
    const channel = this.#channels.get(channelId);
    const held = channel?.held;
    if (!channel || !held) return [];
    channel.held = null;
    // A channel the client named but never got anything of (not a member, say) is forgotten.
    if (channel.sent === 0 && channel.firstLive === 0) this.#channels.delete(channelId);
    return this.#readmit(held);
  }

  #readmit(events: Held[]): string[] {
    const out: string[] = [];
    for (const { text, order } of events) {
      if (this.admit(text, order)) out.push(text);
    }
    return out;
  }

  #track(channelId: string): ChannelGate {
    const channel: ChannelGate = { sent: 0, firstLive: 0, held: null };
    this.#channels.set(channelId, channel);
    return channel;
  }
}
