/**
 * The named permissions of API.md "Permissions and roles", and the bit sets they are evaluated
 * as. Stored data and the wire carry names (so adding one never rewrites anything); evaluation
 * works on bits (one integer per role and overwrite, so a check is a few `&`s).
 *
 * Types and pure functions only: islands may import it (the permission editor lists these).
 */

/** Every permission, in the order the permission editor shows them. */
export const PERMISSIONS = [
  "view_channel",
  "send_messages",
  "read_history",
  "add_reactions",
  "attach_files",
  "mention_everyone",
  "manage_messages",
  "manage_channels",
  "manage_server",
  "manage_roles",
  "create_invites",
  "manage_invites",
  "kick_members",
  "ban_members",
  "moderate_members",
  "view_audit_log",
  "administrator",
] as const;

export type Permission = typeof PERMISSIONS[number];

/** A set of permissions as bits: bit i is PERMISSIONS[i]. */
export type PermissionBits = number;

const BIT = new Map<string, number>(PERMISSIONS.map((name, i) => [name, 1 << i]));

/** Every permission's bit set. */
export const ALL_PERMISSIONS: PermissionBits = (1 << PERMISSIONS.length) - 1;

/** What a new server's `@everyone` holds (API.md). */
export const DEFAULT_EVERYONE_PERMISSIONS: readonly Permission[] = [
  "view_channel",
  "send_messages",
  "read_history",
  "add_reactions",
  "attach_files",
  "create_invites",
];

/** True if `name` is one of PERMISSIONS. */
export function isPermission(name: unknown): name is Permission {
  return typeof name === "string" && BIT.has(name);
}

/** The bit of one permission. */
export function bitOf(permission: Permission): PermissionBits {
  return BIT.get(permission)!;
}

/** Names → bits; names that are not permissions (stored by a later version) are ignored. */
export function toBits(names: readonly string[]): PermissionBits {
  let bits = 0;
  for (const name of names) bits |= BIT.get(name) ?? 0;
  return bits;
}

/** Bits → names, in PERMISSIONS order. */
export function toNames(bits: PermissionBits): Permission[] {
  return PERMISSIONS.filter((name) => (bits & BIT.get(name)!) !== 0);
}

/** True if `bits` holds `permission` (evaluated bits of an administrator are ALL_PERMISSIONS). */
export function has(bits: PermissionBits, permission: Permission): boolean {
  return (bits & BIT.get(permission)!) !== 0;
}
