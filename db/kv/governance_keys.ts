/**
 * The Deno KV keys of governance (db/governance_store.ts), beside those of kv_store.ts:
 * - `["roles", serverId, roleId]` → RoleRecord; `@everyone` under the server's id (a server
 *   stored before roles has none stored: it reads as the default, db/kv/records.ts)
 * - `["member_state", serverId, userId]` → MemberState: a member's roles and time-out, kept
 *   apart from `["server_members", …]` (the key sends check, remembered by KnownEntries) so
 *   that giving a role or a time-out never fails a batch of sends; absent: none
 * - `["bans", serverId, userId]` → BanRecord
 * - `["overwrites", serverId, channelId, targetId]` → OverwriteRecord (a server's snapshot is
 *   one prefix scan; a channel's overwrites a narrower one)
 * - `["server_invites", serverId, code]` → true: the server's invites (`["invites", code]` holds
 *   the record; invites stored before the index get their entry at open, db/kv/invites.ts)
 * - `["audit", serverId, entryId]` → AuditEntryRecord (UUIDv7 ids: a reverse scan is newest first)
 * - `["server_icons", serverId]` → ChunkedMeta; the bytes in
 *   `["server_icon_chunks", serverId, version, i]` (db/kv/chunks.ts)
 * - `["purges", "channel" | "server", id]` → Purge: a deletion whose bulk (messages…) is still
 *   being removed in batches (db/kv/purge.ts)
 *
 * Deletions gate reads atomically: the commit that deletes a server deletes its record and its
 * channels' records, the one that deletes a channel its records; what is left (messages, read
 * markers, memberships, overwrites, audit entries) is unreachable from then on (each read of it
 * also reads the server or channel record, in the same `getMany` or concurrently) and purged
 * after.
 */
import type { AuditEntryRecord } from "../governance_store.ts";

/** A role. */
export const roleKeyOf = (serverId: string, roleId: string): Deno.KvKey => [
  "roles",
  serverId,
  roleId,
];
/** A membership, server side (what sends check). */
export const memberKeyOf = (serverId: string, userId: string): Deno.KvKey => [
  "server_members",
  serverId,
  userId,
];
/** A membership, user side (the user's servers). */
export const userServerKeyOf = (userId: string, serverId: string): Deno.KvKey => [
  "user_servers",
  userId,
  serverId,
];
/** A member's roles and time-out. */
export const memberStateKeyOf = (serverId: string, userId: string): Deno.KvKey => [
  "member_state",
  serverId,
  userId,
];
/** A ban. */
export const banKeyOf = (serverId: string, userId: string): Deno.KvKey => [
  "bans",
  serverId,
  userId,
];
/** A channel's overwrite for one role or member. */
export const overwriteKeyOf = (
  serverId: string,
  channelId: string,
  targetId: string,
): Deno.KvKey => ["overwrites", serverId, channelId, targetId];
/** A server's record. */
export const serverKeyOf = (id: string): Deno.KvKey => ["servers", id];
/** A channel's record. */
export const channelKeyOf = (id: string): Deno.KvKey => ["channels", id];
/** A channel's record in its server's list. */
export const serverChannelKeyOf = (serverId: string, id: string): Deno.KvKey => [
  "server_channels",
  serverId,
  id,
];
/** A channel name taken in a server. */
export const channelNameKeyOf = (serverId: string, name: string): Deno.KvKey => [
  "channel_names",
  serverId,
  name,
];
/** An invite. */
export const inviteKeyOf = (code: string): Deno.KvKey => ["invites", code];
/** An invite in its server's list. */
export const serverInviteKeyOf = (serverId: string, code: string): Deno.KvKey => [
  "server_invites",
  serverId,
  code,
];
/** An audit log entry. */
export const auditKeyOf = (serverId: string, id: string): Deno.KvKey => ["audit", serverId, id];
/** A server icon's meta value. */
export const iconKeyOf = (serverId: string): Deno.KvKey => ["server_icons", serverId];
/** Where a server icon's chunks are. */
export const iconChunksOf = (serverId: string): Deno.KvKey => ["server_icon_chunks", serverId];

/** What governance keeps on a membership (absent: no roles, no time-out). */
export interface MemberState {
  roleIds: string[];
  timeoutUntil: Date | null;
}

/**
 * Adds the audit entry (if any) to a commit. Its changes are stored as JSON values (a Date
 * becomes its ISO string, as in PostgreSQL's jsonb), so both stores return the same.
 */
export function withAudit(
  op: Deno.AtomicOperation,
  audit: AuditEntryRecord | null | undefined,
): Deno.AtomicOperation {
  if (!audit) return op;
  const stored = { ...audit, changes: JSON.parse(JSON.stringify(audit.changes)) };
  return op.set(auditKeyOf(audit.serverId, audit.id), stored);
}
