/** Stored chat records → the API's shapes (camelCase already; times become ISO strings). */
import type {
  ChannelRecord,
  MemberRecord,
  MessageRecord,
  OverwriteRecord,
  RoleRecord,
  ServerRecord,
  UserRecord,
} from "../../db/store.ts";
import { avatarUrl, toPublicUser } from "../public_user.ts";
import type {
  WireAuthor,
  WireChannel,
  WireMember,
  WireMessage,
  WireOverwrite,
  WireRole,
  WireServer,
} from "../realtime/protocol.ts";

/** Where a server's icon is served; the version makes the URL cacheable forever. */
export function iconUrl(server: Pick<ServerRecord, "id" | "iconVersion">): string | null {
  return server.iconVersion ? `/api/servers/${server.id}/icon?v=${server.iconVersion}` : null;
}

export function toWireServer(server: ServerRecord): WireServer {
  return {
    id: server.id,
    name: server.name,
    ownerId: server.ownerId,
    createdAt: server.createdAt.toISOString(),
    iconUrl: iconUrl(server),
  };
}

export function toWireOverwrite(overwrite: OverwriteRecord): WireOverwrite {
  return {
    id: overwrite.targetId,
    type: overwrite.type,
    allow: overwrite.allow,
    deny: overwrite.deny,
  };
}

/** A channel with its overwrites (from the server's permission snapshot; none if not given). */
export function toWireChannel(
  channel: ChannelRecord,
  overwrites: readonly OverwriteRecord[] = [],
): WireChannel {
  return {
    id: channel.id,
    serverId: channel.serverId,
    name: channel.name,
    createdAt: channel.createdAt.toISOString(),
    // A DM is never shaped here (lib/dms/dm_shapes.ts has its own shape, serverId null).
    kind: channel.kind as WireChannel["kind"],
    parentId: channel.parentId,
    topic: channel.topic,
    position: channel.position,
    permissionOverwrites: overwrites.map(toWireOverwrite),
  };
}

export function toWireRole(role: RoleRecord): WireRole {
  return {
    id: role.id,
    serverId: role.serverId,
    name: role.name,
    color: role.color,
    position: role.position,
    permissions: role.permissions,
    mentionable: role.mentionable,
  };
}

export function toWireMember(member: MemberRecord, user: UserRecord): WireMember {
  return {
    user: toPublicUser(user),
    roles: member.roleIds,
    joinedAt: member.joinedAt.toISOString(),
    timeoutUntil: member.timeoutUntil?.toISOString() ?? null,
  };
}

export function toWireAuthor(user: UserRecord): WireAuthor {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: avatarUrl(user),
  };
}

/** A user that no longer exists still has messages; they show as a placeholder author. */
export function unknownAuthor(id: string): WireAuthor {
  return {
    id,
    username: "deleted",
    displayName: "Deleted user",
    avatarUrl: avatarUrl({ id, avatarVersion: null }),
  };
}

export function toWireMessage(message: MessageRecord, author: WireAuthor): WireMessage {
  const wire: WireMessage = {
    id: message.id,
    channelId: message.channelId,
    seq: message.seq,
    author,
    content: message.content,
    createdAt: message.createdAt.toISOString(),
    editedAt: message.editedAt?.toISOString() ?? null,
  };
  if (message.nonce !== null) wire.nonce = message.nonce;
  return wire;
}
