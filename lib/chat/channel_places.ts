/**
 * Which server a channel belongs to, remembered per process: the send path (every message) then
 * needs no read before the append, which checks membership in the same commit.
 *
 * Only that fact is kept because it is the one that never changes: a channel never moves to
 * another server. Names and existence change (renames and deletions), so they are always read
 * from the store; whatever updates or deletes a channel calls `forget` all the same, so that no
 * entry outlives its channel.
 */
import { PLACE_CACHE_SIZE } from "../limits.ts";

export class ChannelPlaces {
  #serverOf = new Map<string, string>();

  constructor(readonly maxSize: number = PLACE_CACHE_SIZE) {}

  /** The server id of a channel seen before, or undefined. */
  serverOf(channelId: string): string | undefined {
    return this.#serverOf.get(channelId);
  }

  /** Remembers a channel's server, dropping the oldest entry when full. */
  remember(channelId: string, serverId: string): void {
    if (!this.#serverOf.has(channelId) && this.#serverOf.size >= this.maxSize) {
      this.#serverOf.delete(this.#serverOf.keys().next().value!);
    }
    this.#serverOf.set(channelId, serverId);
  }

  /** Drops what is known of a channel (it was changed or deleted). */
  forget(channelId: string): void {
    this.#serverOf.delete(channelId);
  }
}
