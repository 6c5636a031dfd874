/**
 * A DM channel's permission snapshot: the same ServerAccess every check and the hub's fan-out
 * read, built over the DM as its own "server" (db/dm_store.ts: a DM's place is its own id).
 * Its members are the DM's; nobody owns it; every member holds DM_PERMISSIONS in it and
 * nothing else (no deleting others' messages, no @everyone), so a non-member sees nothing
 * (404, as for an unknown channel) and the socket delivers its events to its members only.
 */
import type { DmChannelRecord } from "../../db/store.ts";
import { ServerAccess } from "../permissions/server_access.ts";
import type { Permission } from "../permissions/permission_names.ts";

/** What every member of a DM may do in it (pins are allowed apart: see isDmChannel's users). */
export const DM_PERMISSIONS: readonly Permission[] = [
  "view_channel",
  "send_messages",
  "read_history",
  "add_reactions",
  "attach_files",
];

/** The snapshot of a DM channel. */
export function dmAccess(dm: DmChannelRecord): ServerAccess {
  const placeId = dm.channel.id;
  return ServerAccess.from({
    dm: true,
    server: {
      id: placeId,
      name: "",
      ownerId: "",
      createdAt: dm.channel.createdAt,
      iconVersion: null,
    },
    roles: [{
      id: placeId,
      serverId: placeId,
      name: "@everyone",
      color: null,
      position: 0,
      permissions: [...DM_PERMISSIONS],
      mentionable: false,
    }],
    channels: [dm.channel],
    overwrites: [],
    members: dm.recipientIds.map((userId) => ({
      serverId: placeId,
      userId,
      joinedAt: dm.channel.createdAt,
      roleIds: [],
      timeoutUntil: null,
    })),
  });
}
