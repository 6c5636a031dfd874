/**
 * Permission lists as clients send them (arrays of names, API.md), and the rule that one may
 * only hand out permissions one holds (unless owner or administrator).
 */
import { Forbidden, Invalid } from "../errors.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import {
  has,
  isPermission,
  type Permission,
  type PermissionBits,
  PERMISSIONS,
  toBits,
  toNames,
} from "../permissions/permission_names.ts";

/** An array of permission names, deduplicated and in PERMISSIONS order; 400 for anything else. */
export function checkPermissionNames(raw: unknown, field: string): Permission[] {
  if (!Array.isArray(raw)) {
    throw new Invalid(
      "invalid_permissions",
      `${field} must be an array of permission names.`,
      field,
    );
  }
  for (const name of raw) {
    if (!isPermission(name)) {
      throw new Invalid(
        "invalid_permissions",
        `${field}: ${JSON.stringify(name)} is not a permission (one of ${PERMISSIONS.join(", ")}).`,
        field,
      );
    }
  }
  return toNames(toBits(raw as string[]));
}

/** True if the user may grant any permission: the owner, or an administrator. */
export function grantsAnything(access: ServerAccess, userId: string): boolean {
  return userId === access.server.ownerId ||
    has(access.serverPermissions(userId), "administrator");
}

/**
 * Throws `403 missing_permissions` if `wanted` holds permissions the actor does not hold
 * (`held`: their server-level or channel-level bits, whichever the grant applies to).
 */
export function requireGrantable(
  access: ServerAccess,
  actorId: string,
  wanted: PermissionBits,
  held: PermissionBits = access.serverPermissions(actorId),
): void {
  if (grantsAnything(access, actorId)) return;
  const missing = wanted & ~held;
  if (missing !== 0) {
    throw new Forbidden(
      "missing_permissions",
      `You can only grant permissions you hold yourself; you lack ${toNames(missing).join(", ")}.`,
    );
  }
}
