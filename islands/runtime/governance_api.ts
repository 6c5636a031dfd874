/**
 * The HTTP calls of running a server (settings dialog, channel settings, profile card
 * moderation), apart from api.ts so the chat page's first load does not carry them: they load
 * with the dialogs that use them. Same rules as api.ts: each resolves to an `ApiResult`.
 */
import type {
  WireAuditEntry,
  WireBan,
  WireChannel,
  WireInvite,
  WireMember,
  WireRole,
  WireServer,
} from "../../lib/realtime/protocol.ts";
import { call, channelOf, json, nothing } from "./api.ts";
import type { ApiResult } from "./api.ts";

const serverOf = (body: unknown) => (body as { server: WireServer }).server;
const roleOf = (body: unknown) => (body as { role: WireRole }).role;

/** GET /api/servers/:id: the server with its channels, members and roles (members only). */
export function getServer(serverId: string): Promise<
  ApiResult<
    { server: WireServer; channels: WireChannel[]; members: WireMember[]; roles: WireRole[] }
  >
> {
  return call(`/api/servers/${serverId}`, { method: "GET" }, (body) => body as never);
}

/** PATCH /api/servers/:id: rename, or transfer ownership (`ownerId`, the owner only). */
export function updateServer(
  serverId: string,
  changes: { name?: string; ownerId?: string },
): Promise<ApiResult<WireServer>> {
  return call(`/api/servers/${serverId}`, json("PATCH", changes), serverOf);
}

/** DELETE /api/servers/:id (the owner only): everything in it is gone. */
export function deleteServer(serverId: string): Promise<ApiResult<void>> {
  return call(`/api/servers/${serverId}`, { method: "DELETE" }, nothing);
}

/** PUT /api/servers/:id/icon: uploads the server's icon. */
export function uploadServerIcon(serverId: string, image: Blob): Promise<ApiResult<WireServer>> {
  return call(
    `/api/servers/${serverId}/icon`,
    { method: "PUT", headers: { "Content-Type": image.type }, body: image },
    serverOf,
  );
}

/** The fields of a role a client sets. */
export interface RoleInput {
  name?: string;
  permissions?: string[];
  color?: number | null;
  position?: number;
  mentionable?: boolean;
}

/** POST /api/servers/:id/roles: a new role. */
export function createRole(serverId: string, input: RoleInput): Promise<ApiResult<WireRole>> {
  return call(`/api/servers/${serverId}/roles`, json("POST", input), roleOf);
}

/** PATCH /api/servers/:id/roles/:roleId: the updated role. */
export function updateRole(
  serverId: string,
  roleId: string,
  input: RoleInput,
): Promise<ApiResult<WireRole>> {
  return call(`/api/servers/${serverId}/roles/${roleId}`, json("PATCH", input), roleOf);
}

/** DELETE /api/servers/:id/roles/:roleId (never `@everyone`). */
export function deleteRole(serverId: string, roleId: string): Promise<ApiResult<void>> {
  return call(`/api/servers/${serverId}/roles/${roleId}`, { method: "DELETE" }, nothing);
}

/** PUT or DELETE /api/servers/:id/members/:userId/roles/:roleId: gives or takes a role. */
export function setMemberRole(
  serverId: string,
  userId: string,
  roleId: string,
  held: boolean,
): Promise<ApiResult<void>> {
  return call(
    `/api/servers/${serverId}/members/${userId}/roles/${roleId}`,
    { method: held ? "PUT" : "DELETE" },
    nothing,
  );
}

/** DELETE /api/servers/:id/members/:userId: a kick. */
export function kickMember(
  serverId: string,
  userId: string,
  reason?: string,
): Promise<ApiResult<void>> {
  return call(`/api/servers/${serverId}/members/${userId}`, json("DELETE", { reason }), nothing);
}

/** PUT /api/servers/:id/bans/:userId: removes the member, who cannot join again. */
export function banMember(
  serverId: string,
  userId: string,
  input: { reason?: string; deleteMessagesSeconds?: number },
): Promise<ApiResult<void>> {
  return call(`/api/servers/${serverId}/bans/${userId}`, json("PUT", input), nothing);
}

/** DELETE /api/servers/:id/bans/:userId: lifts a ban. */
export function unbanMember(serverId: string, userId: string): Promise<ApiResult<void>> {
  return call(`/api/servers/${serverId}/bans/${userId}`, { method: "DELETE" }, nothing);
}

/** GET /api/servers/:id/bans. */
export function listBans(serverId: string): Promise<ApiResult<WireBan[]>> {
  return call(
    `/api/servers/${serverId}/bans`,
    { method: "GET" },
    (body) => (body as { bans: WireBan[] }).bans,
  );
}

/** PATCH /api/servers/:id/members/:userId: a time-out until `timeoutUntil` (null lifts it). */
export function timeOutMember(
  serverId: string,
  userId: string,
  timeoutUntil: string | null,
  reason?: string,
): Promise<ApiResult<WireMember>> {
  return call(
    `/api/servers/${serverId}/members/${userId}`,
    json("PATCH", { timeoutUntil, reason }),
    (body) => (body as { member: WireMember }).member,
  );
}

/** POST /api/servers/:id/invites with limits (0: never expires / unlimited uses). */
export function createLimitedInvite(
  serverId: string,
  limits: { maxAgeSeconds: number; maxUses: number },
): Promise<ApiResult<WireInvite>> {
  return call(
    `/api/servers/${serverId}/invites`,
    json("POST", limits),
    (body) => (body as { invite: WireInvite }).invite,
  );
}

/** GET /api/servers/:id/invites. */
export function listInvites(serverId: string): Promise<ApiResult<WireInvite[]>> {
  return call(
    `/api/servers/${serverId}/invites`,
    { method: "GET" },
    (body) => (body as { invites: WireInvite[] }).invites,
  );
}

/** DELETE /api/invites/:code: revokes an invite. */
export function revokeInvite(code: string): Promise<ApiResult<void>> {
  return call(`/api/invites/${encodeURIComponent(code)}`, { method: "DELETE" }, nothing);
}

/** GET /api/servers/:id/audit-log: a page, newest first. */
export function listAuditLog(
  serverId: string,
  query: { before?: string; limit?: number; action?: string; actorId?: string },
): Promise<ApiResult<WireAuditEntry[]>> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const search = params.size > 0 ? `?${params}` : "";
  return call(
    `/api/servers/${serverId}/audit-log${search}`,
    { method: "GET" },
    (body) => (body as { entries: WireAuditEntry[] }).entries,
  );
}

/** POST /api/servers/:id/channels: a new channel or category. */
export function createChannel(
  serverId: string,
  input: { name: string; kind?: "text" | "category"; parentId?: string | null; topic?: string },
): Promise<ApiResult<WireChannel>> {
  return call(`/api/servers/${serverId}/channels`, json("POST", input), channelOf);
}

/** DELETE /api/channels/:id: the channel and its messages are gone. */
export function deleteChannel(channelId: string): Promise<ApiResult<void>> {
  return call(`/api/channels/${channelId}`, { method: "DELETE" }, nothing);
}

/** PUT /api/channels/:id/overwrites/:targetId: sets one role's or member's overwrite. */
export function putOverwrite(
  channelId: string,
  targetId: string,
  overwrite: { type: "role" | "member"; allow: string[]; deny: string[] },
): Promise<ApiResult<void>> {
  return call(
    `/api/channels/${channelId}/overwrites/${targetId}`,
    json("PUT", overwrite),
    nothing,
  );
}

/** DELETE /api/channels/:id/overwrites/:targetId. */
export function deleteOverwrite(channelId: string, targetId: string): Promise<ApiResult<void>> {
  return call(`/api/channels/${channelId}/overwrites/${targetId}`, { method: "DELETE" }, nothing);
}
