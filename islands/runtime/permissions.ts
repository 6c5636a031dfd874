/**
 * What the reader may do on a server, computed in the page from the same data the server
 * checks (API.md "Permissions and roles", Discord's order), so the screen only offers what the
 * server will accept. Pure: the server renders with it too. The server stays the judge: a
 * refused call still shows its message.
 */
import { PERMISSIONS } from "../../lib/permissions/permission_names.ts";
import type { WireChannel, WireMember, WireRole, WireServer } from "../../lib/realtime/protocol.ts";

/** The parts of a server the evaluation reads. */
export interface PermissionScope {
  server: WireServer;
  roles: WireRole[];
  members: WireMember[];
}

const ALL: ReadonlySet<string> = new Set(PERMISSIONS);

/** The permissions that open the server settings (any of them, or being the owner). */
export const MANAGING = [
  "manage_server",
  "manage_roles",
  "manage_channels",
  "manage_invites",
  "ban_members",
  "view_audit_log",
  "kick_members",
] as const;

function memberOf(scope: PermissionScope, userId: string): WireMember | undefined {
  return scope.members.find((member) => member.user.id === userId);
}

/** The roles a member holds, `@everyone` (the server's id) included. */
export function rolesOf(scope: PermissionScope, userId: string): WireRole[] {
  const held = new Set(memberOf(scope, userId)?.roles ?? []);
  return scope.roles.filter((role) => role.id === scope.server.id || held.has(role.id));
}

/** A member's server-wide permissions: owner and administrator hold all. */
export function serverPermissions(scope: PermissionScope, userId: string): Set<string> {
  if (scope.server.ownerId === userId) return new Set(ALL);
  if (!memberOf(scope, userId)) return new Set();
  const granted = new Set(rolesOf(scope, userId).flatMap((role) => role.permissions));
  return granted.has("administrator") ? new Set(ALL) : granted;
}

/** A member's permissions in one channel, overwrites applied in Discord's order. */
export function channelPermissions(
  scope: PermissionScope,
  userId: string,
  channel: WireChannel,
): Set<string> {
  const base = serverPermissions(scope, userId);
  if (scope.server.ownerId === userId || base.has("administrator")) return base;
  const overwrites = channel.permissionOverwrites ?? [];
  const apply = (deny: string[], allow: string[]) => {
    for (const name of deny) base.delete(name);
    for (const name of allow) base.add(name);
  };
  const everyone = overwrites.find((o) => o.type === "role" && o.id === scope.server.id);
  if (everyone) apply(everyone.deny, everyone.allow);
  const held = new Set(memberOf(scope, userId)?.roles ?? []);
  const mine = overwrites.filter((o) => o.type === "role" && held.has(o.id));
  apply(mine.flatMap((o) => o.deny), mine.flatMap((o) => o.allow));
  const own = overwrites.find((o) => o.type === "member" && o.id === userId);
  if (own) apply(own.deny, own.allow);
  return base;
}

/** The position of a member's highest role: the owner is above everyone. */
export function highestPosition(scope: PermissionScope, userId: string): number {
  if (scope.server.ownerId === userId) return Infinity;
  return Math.max(0, ...rolesOf(scope, userId).map((role) => role.position));
}

/** True if `actorId` may act on `targetId` (kick, ban, time out, give roles). */
export function outranks(scope: PermissionScope, actorId: string, targetId: string): boolean {
  if (actorId === targetId || scope.server.ownerId === targetId) return false;
  return highestPosition(scope, actorId) > highestPosition(scope, targetId);
}

/** True if `userId` may manage something, so the server settings are worth opening. */
export function mayManage(scope: PermissionScope, userId: string): boolean {
  const held = serverPermissions(scope, userId);
  return scope.server.ownerId === userId || MANAGING.some((name) => held.has(name));
}
