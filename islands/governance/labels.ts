/** What the governance screens call permissions, audit actions and durations. */
import type { Permission } from "../../lib/permissions/permission_names.ts";

/** Each permission's label (the checkbox's accessible name) and what it allows. */
export const PERMISSION_LABELS: Record<Permission, [string, string]> = {
  view_channel: ["View channels", "See channels and their messages as they come."],
  send_messages: ["Send messages", "Write in channels."],
  read_history: ["Read message history", "Read what was said before."],
  add_reactions: ["Add reactions", "React to messages."],
  attach_files: ["Attach files", "Upload files with messages."],
  mention_everyone: ["Mention everyone", "Notify everyone with @everyone and @here."],
  manage_messages: ["Manage messages", "Delete and pin other people's messages."],
  manage_channels: ["Manage channels", "Create, edit, reorder and delete channels."],
  manage_server: ["Manage server", "Rename the server and change its icon."],
  manage_roles: ["Manage roles", "Create and edit roles below their own, and channel permissions."],
  create_invites: ["Create invites", "Invite people."],
  manage_invites: ["Manage invites", "See and revoke everyone's invites."],
  kick_members: ["Kick members", "Remove members (they may come back with an invite)."],
  ban_members: ["Ban members", "Remove members for good, and lift bans."],
  moderate_members: ["Time out members", "Stop members from talking for a while."],
  view_audit_log: ["View audit log", "See who changed what."],
  administrator: ["Administrator", "Every permission, in every channel. Give it with care."],
};

/** The label of a permission name (a name this version does not know shows as it is). */
export function permissionLabel(name: string): string {
  return PERMISSION_LABELS[name as Permission]?.[0] ?? name;
}

/** Audit actions (API.md) and how an entry reads. */
export const AUDIT_ACTIONS: Record<string, string> = {
  server_update: "updated the server",
  channel_create: "created a channel",
  channel_update: "updated a channel",
  channel_delete: "deleted a channel",
  role_create: "created a role",
  role_update: "updated a role",
  role_delete: "deleted a role",
  member_role_add: "gave a role",
  member_role_remove: "took a role",
  overwrite_update: "changed channel permissions",
  overwrite_delete: "removed channel permissions",
  member_kick: "kicked a member",
  member_ban: "banned a member",
  member_unban: "lifted a ban",
  member_timeout: "timed out a member",
  invite_create: "created an invite",
  invite_delete: "revoked an invite",
  message_delete: "deleted a message",
  message_pin: "pinned a message",
  message_unpin: "unpinned a message",
  emoji_create: "added an emoji",
  emoji_delete: "removed an emoji",
};

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Time-out lengths offered (API.md: at most 28 days). */
export const TIMEOUT_CHOICES: [string, number][] = [
  ["60 seconds", 60],
  ["5 minutes", 5 * MINUTE],
  ["10 minutes", 10 * MINUTE],
  ["1 hour", HOUR],
  ["1 day", DAY],
  ["1 week", 7 * DAY],
  ["28 days", 28 * DAY],
];

/** Invite lifetimes offered (0: never expires). */
export const INVITE_AGE_CHOICES: [string, number][] = [
  ["Never", 0],
  ["30 minutes", 30 * MINUTE],
  ["1 hour", HOUR],
  ["6 hours", 6 * HOUR],
  ["12 hours", 12 * HOUR],
  ["1 day", DAY],
  ["7 days", 7 * DAY],
];

/** Invite use limits offered (0: no limit). */
export const INVITE_USE_CHOICES: [string, number][] = [
  ["No limit", 0],
  ["1 use", 1],
  ["5 uses", 5],
  ["10 uses", 10],
  ["25 uses", 25],
  ["50 uses", 50],
  ["100 uses", 100],
];

/** How much of a banned member's recent messages to delete. */
export const BAN_DELETE_CHOICES: [string, number][] = [
  ["Delete nothing", 0],
  ["The last hour", HOUR],
  ["The last 24 hours", DAY],
  ["The last 7 days", 7 * DAY],
];

export { hexColor } from "./role_color.ts";

/** A short local date and time. */
export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
