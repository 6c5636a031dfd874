/**
 * Channel order (API.md's Precisions: channels sort by `position` ascending within their
 * category; top-level channels and categories share the top level, as ServerAccess lists them).
 * Topic and parent checks are lib/chat/channel_input.ts's, shared with channel creation.
 */
import type { ChannelRecord } from "../../db/store.ts";
import { Invalid } from "../errors.ts";
import { CHANNELS_PER_SERVER_MAX } from "../limits.ts";

/** A position: a whole number from 0 to CHANNELS_PER_SERVER_MAX. */
export function checkPosition(raw: unknown): number {
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 0) {
    throw new Invalid(
      "invalid_position",
      "position must be a whole number, 0 or more.",
      "position",
    );
  }
  if (raw > CHANNELS_PER_SERVER_MAX) {
    throw new Invalid(
      "invalid_position",
      `position must be at most ${CHANNELS_PER_SERVER_MAX}.`,
      "position",
    );
  }
  return raw;
}

/** Sort order among siblings: position, then oldest first, then id (a total order). */
export function byPosition(a: ChannelRecord, b: ChannelRecord): number {
  return a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The siblings `moved` joins (same parent), in order, with `moved` at `index` (clamped; absent:
 * the end). Each channel's new position is its index, so the order is total and is exactly the
 * one shown.
 */
export function reorder(
  channels: readonly ChannelRecord[],
  moved: ChannelRecord,
  index: number | undefined,
): ChannelRecord[] {
  const others = channels
    .filter((c) => c.id !== moved.id && c.parentId === moved.parentId)
    .sort(byPosition);
  const at = Math.min(index ?? others.length, others.length);
  return [...others.slice(0, at), moved, ...others.slice(at)];
}
