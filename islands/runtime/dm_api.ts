/**
 * The islands' calls for direct messages and notifications (API.md "Direct messages",
 * "Notifications"), in api.ts's style: each resolves to an `ApiResult` and never throws.
 */
import type { WireUser } from "../../lib/realtime/protocol.ts";
import { call, json, nothing } from "./api.ts";
import type { ApiResult } from "./api.ts";
import type { DmChannel, DmPolicy, NotificationLevel, NotificationSetting } from "./dm_types.ts";

const channelOf = (body: unknown) => (body as { channel: DmChannel }).channel;

/** POST /api/dms: the one DM with `userIds[0]` (or a new group DM for 2–9 ids). */
export function openDm(userIds: string[]): Promise<ApiResult<DmChannel>> {
  return call("/api/dms", json("POST", { userIds }), channelOf);
}

/** GET /api/dms: the reader's DMs, newest activity first. */
export function listDms(): Promise<ApiResult<DmChannel[]>> {
  return call(
    "/api/dms",
    { method: "GET" },
    (body) => (body as { channels: DmChannel[] }).channels,
  );
}

/** DELETE /api/dms/:id/recipients/:userId: leaves a group DM (`userId` is the reader's). */
export function leaveGroupDm(channelId: string, userId: string): Promise<ApiResult<void>> {
  return call(`/api/dms/${channelId}/recipients/${userId}`, { method: "DELETE" }, nothing);
}

/** PUT / DELETE /api/users/:id/block. */
export function setBlocked(userId: string, blocked: boolean): Promise<ApiResult<void>> {
  return call(`/api/users/${userId}/block`, { method: blocked ? "PUT" : "DELETE" }, nothing);
}

/** PATCH /api/me {dmPolicy}. */
export function setDmPolicy(dmPolicy: DmPolicy): Promise<ApiResult<WireUser>> {
  return call(
    "/api/me",
    json("PATCH", { dmPolicy }),
    (body) => (body as { user: WireUser }).user,
  );
}

/** GET /api/me/notifications. */
export function listNotificationSettings(): Promise<ApiResult<NotificationSetting[]>> {
  return call(
    "/api/me/notifications",
    { method: "GET" },
    (body) => (body as { settings: NotificationSetting[] }).settings,
  );
}

/** PUT /api/me/notifications/:targetId (a server, a channel or a DM). */
export function putNotificationSetting(
  targetId: string,
  level: NotificationLevel,
  muteUntil: string | null,
): Promise<ApiResult<void>> {
  return call(
    `/api/me/notifications/${targetId}`,
    json("PUT", { level, muteUntil }),
    nothing,
  );
}
