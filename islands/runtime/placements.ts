/**
 * Moving channels: the PATCHes of a move (runtime/channel_order.ts computes them), apart from
 * the channel settings dialog so the channel list can reorder without loading the dialog.
 */
import { updateChannel } from "./api.ts";
import type { Placement } from "./channel_order.ts";

/** Sends the PATCHes of a move; the first refusal's message, or null. */
export async function applyPlacements(moves: Placement[]): Promise<string | null> {
  for (const { id, ...changes } of moves) {
    const result = await updateChannel(id, changes);
    if (!result.ok) return result.error.message;
  }
  return null;
}
