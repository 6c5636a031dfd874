/** The audit log's actions (API.md's list), for filtering and for the Audit log tab's labels. */
export const AUDIT_ACTIONS = [
  "server_update",
  "channel_create",
  "channel_update",
  "channel_delete",
  "role_create",
  "role_update",
  "role_delete",
  "member_role_add",
  "member_role_remove",
  "overwrite_update",
  "overwrite_delete",
  "member_kick",
  "member_ban",
  "member_unban",
  "member_timeout",
  "invite_create",
  "invite_delete",
  "message_delete",
  "message_pin",
  "message_unpin",
  "emoji_create",
  "emoji_delete",
] as const;

export type AuditAction = typeof AUDIT_ACTIONS[number];

/** True if `name` is one of AUDIT_ACTIONS. */
export function isAuditAction(name: unknown): name is AuditAction {
  return typeof name === "string" && (AUDIT_ACTIONS as readonly string[]).includes(name);
}
