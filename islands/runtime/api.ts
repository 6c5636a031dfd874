/**
 * The islands' one door to the HTTP API (API.md): one typed function per call they make. Each
 * resolves to an `ApiResult` and never throws: the API's `{"error": {code, message}}` answers,
 * answers that are not JSON and network failures all become one `ApiError`, so a caller handles
 * every failure in one place and shows its `message` to the reader.
 *
 * @example
 * const result = await editMessage(id, "fixed typo");
 * if (!result.ok) note.value = result.error.message;
 */
import type {
  WireAuditEntry,
  WireBan,
  WireChannel,
  WireInvite,
  WireMember,
  WireMessage,
  WireRole,
  WireServer,
  WireUser,
} from "../../lib/realtime/protocol.ts";

/** Why a call failed. `status` is 0 when no answer came (network down, request aborted). */
export interface ApiError {
  status: number;
  /** The API's snake_case code; `network_error` or `http_<status>` when the API gave none. */
  code: string;
  /** A sentence for the reader. */
  message: string;
}

/** What every call resolves to. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Which part of a channel's history a page holds (seq numbers; API.md caps `limit` at 100). */
export interface PageQuery {
  before?: number;
  after?: number;
  limit?: number;
}

/** GET /api/channels/:id/messages: a page of history, ascending by seq. */
export function listMessages(
  channelId: string,
  query: PageQuery = {},
): Promise<ApiResult<WireMessage[]>> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.size > 0 ? `?${params}` : "";
  return call(
    `/api/channels/${channelId}/messages${search}`,
    { method: "GET" },
    (body) => (body as { messages: WireMessage[] }).messages,
  );
}

/** PATCH /api/messages/:id: the edited message (author only). */
export function editMessage(id: string, content: string): Promise<ApiResult<WireMessage>> {
  return call(`/api/messages/${id}`, json("PATCH", { content }), messageOf);
}

/** DELETE /api/messages/:id (author or server owner). */
export function deleteMessage(id: string): Promise<ApiResult<void>> {
  return call(`/api/messages/${id}`, { method: "DELETE" }, nothing);
}

/** PUT /api/channels/:id/read: moves the reader's read marker (never backwards). */
export function markRead(channelId: string, seq: number): Promise<ApiResult<void>> {
  return call(`/api/channels/${channelId}/read`, json("PUT", { seq }), nothing);
}

/** POST /api/servers/:id/invites: a new invite's code. */
export function createInvite(serverId: string): Promise<ApiResult<string>> {
  return call(
    `/api/servers/${serverId}/invites`,
    { method: "POST" },
    (body) => (body as { code: string }).code,
  );
}

/** DELETE /api/servers/:id/members/me: the reader leaves the server. */
export function leaveServer(serverId: string): Promise<ApiResult<void>> {
  return call(`/api/servers/${serverId}/members/me`, { method: "DELETE" }, nothing);
}

/** PATCH /api/me: the reader's updated profile. */
export function updateProfile(
  changes: { displayName?: string; bio?: string },
): Promise<ApiResult<WireUser>> {
  return call("/api/me", json("PATCH", changes), userOf);
}

/** PUT /api/me/avatar: uploads an image (its type is sent as the Content-Type). */
export function uploadAvatar(image: Blob): Promise<ApiResult<WireUser>> {
  return call(
    "/api/me/avatar",
    { method: "PUT", headers: { "Content-Type": image.type }, body: image },
    userOf,
  );
}

export type { WireAuditEntry, WireBan, WireInvite };

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

/** PATCH /api/channels/:id: the updated channel. */
export function updateChannel(
  channelId: string,
  changes: { name?: string; topic?: string; position?: number; parentId?: string | null },
): Promise<ApiResult<WireChannel>> {
  return call(`/api/channels/${channelId}`, json("PATCH", changes), channelOf);
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

const serverOf = (body: unknown) => (body as { server: WireServer }).server;
const roleOf = (body: unknown) => (body as { role: WireRole }).role;
const channelOf = (body: unknown) => (body as { channel: WireChannel }).channel;
const messageOf = (body: unknown) => (body as { message: WireMessage }).message;
const userOf = (body: unknown) => (body as { user: WireUser }).user;
const nothing = () => undefined;

function json(method: string, body: unknown): RequestInit {
  return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

/** Sends one request and turns every outcome into an `ApiResult`. */
async function call<T>(
  path: string,
  init: RequestInit,
  read: (body: unknown) => T,
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    return failure(0, "network_error", "No connection to the server: check it and try again.");
  }
  if (response.status === 204) return { ok: true, value: read(null) };
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok && body !== undefined) return { ok: true, value: read(body) };
  if (response.ok) {
    return failure(response.status, "invalid_answer", "The server's answer was unreadable.");
  }
  const error = (body as { error?: Partial<ApiError> } | undefined)?.error;
  return failure(
    response.status,
    typeof error?.code === "string" ? error.code : `http_${response.status}`,
    typeof error?.message === "string" ? error.message : `The server refused (${response.status}).`,
  );
}

function failure(status: number, code: string, message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { status, code, message } };
}
