/**
 * The DM events (API.md "Direct messages"): each member gets the channel as they see it
 * (`recipients` without themselves), over their own user target, so every instance holding one
 * of their sockets hears it (and the hub subscribes those sockets to the DM: hub.ts).
 */
import type { DmChannelRecord } from "../../db/store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { toWireDm, usersOfDms } from "./dm_shapes.ts";

/** Publishes `dm_created` or `dm_updated` to each of `userIds` (members of the DM). */
export async function publishDm(
  deps: ChatDeps,
  type: "dm_created" | "dm_updated",
  dm: DmChannelRecord,
  userIds: string[],
): Promise<void> {
  if (userIds.length === 0) return;
  const { store } = deps;
  const [users, lastSeq, markers] = await Promise.all([
    usersOfDms(store, [dm]),
    store.lastSeq(dm.channel.id),
    Promise.all(userIds.map((id) => store.readMarkers(id))),
  ]);
  userIds.forEach((userId, i) => {
    const readSeq = markers[i].get(dm.channel.id) ?? 0;
    deps.publish({
      target: { user: userId },
      event: { type, channel: toWireDm({ dm, lastSeq, readSeq }, userId, users) },
    });
  });
}

/** Tells a user's sockets that a DM is gone from their list (left, removed, or closed). */
export function publishDmRemoved(deps: ChatDeps, channelId: string, userId: string): void {
  deps.publish({ target: { user: userId }, event: { type: "dm_removed", channelId } });
}
