/** Whether a channel is a direct message (API.md "Direct messages"). */
import type { ChannelRecord } from "../../db/store.ts";

/** True for a DM or group DM channel (its `serverId` is its own id: db/dm_store.ts). */
export function isDmChannel(channel: Pick<ChannelRecord, "kind">): boolean {
  return channel.kind === "dm" || channel.kind === "group_dm";
}
