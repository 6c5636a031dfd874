/**
 * The sidebar's order of channels (API.md: by `position` within their category, categories
 * likewise) and the moves that reorder it. Pure, so the server renders the same order.
 */
import type { WireChannel } from "../../lib/realtime/protocol.ts";

/** Channels before categories' groups, each by position then age (ties of old data). */
function byPlace(a: WireChannel, b: WireChannel): number {
  return a.position - b.position || a.createdAt.localeCompare(b.createdAt) ||
    a.id.localeCompare(b.id);
}

/** A category with the channels in it; `category` is null for channels in none. */
export interface ChannelGroup {
  category: WireChannel | null;
  channels: WireChannel[];
}

/** The sidebar's groups: uncategorised channels first, then each category with its channels. */
export function groupChannels(channels: WireChannel[]): ChannelGroup[] {
  const categories = channels.filter((c) => c.kind === "category").sort(byPlace);
  const known = new Set(categories.map((c) => c.id));
  const text = channels.filter((c) => c.kind !== "category").sort(byPlace);
  const loose = text.filter((c) => c.parentId === null || !known.has(c.parentId));
  return [
    { category: null, channels: loose },
    ...categories.map((category) => ({
      category,
      channels: text.filter((c) => c.parentId === category.id),
    })),
  ];
}

/** Text channels in sidebar order. */
export function orderedChannels(channels: WireChannel[]): WireChannel[] {
  return groupChannels(channels).flatMap((group) => group.channels);
}

/** One channel's new place: what to PATCH. */
export interface Placement {
  id: string;
  position: number;
  parentId?: string | null;
}

/**
 * The PATCH that puts `moving` at `index` among the text channels of category `parentId`
 * (the server places it there and renumbers the others: API.md's order stays as shown), or
 * none when it is already there.
 */
export function placeAt(
  channels: WireChannel[],
  moving: WireChannel,
  parentId: string | null,
  index: number,
): Placement[] {
  const group = groupChannels(channels).find((g) => (g.category?.id ?? null) === parentId);
  const siblings = (group?.channels ?? []).filter((c) => c.id !== moving.id);
  const position = Math.max(0, Math.min(index, siblings.length));
  const reparent = (moving.parentId ?? null) !== parentId;
  const now = group?.channels.findIndex((c) => c.id === moving.id) ?? -1;
  if (!reparent && now === position) return [];
  return [reparent ? { id: moving.id, position, parentId } : { id: moving.id, position }];
}

/** The PATCH that moves a channel one place up (-1) or down (+1) within its group. */
export function moveBy(channels: WireChannel[], moving: WireChannel, step: -1 | 1): Placement[] {
  const parentId = groupChannels(channels).find((g) => g.channels.some((c) => c.id === moving.id))
    ?.category?.id ?? null;
  const group = groupChannels(channels).find((g) => (g.category?.id ?? null) === parentId)!;
  const index = group.channels.findIndex((c) => c.id === moving.id);
  const target = index + step;
  if (target < 0 || target >= group.channels.length) return [];
  return placeAt(channels, moving, parentId, target);
}
