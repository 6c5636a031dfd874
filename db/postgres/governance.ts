/**
 * The governance half of the PostgreSQL store (db/governance_store.ts, the tables of migration
 * 008_governance.sql): servers' settings and icons, channel changes, roles, member roles and
 * time-outs, overwrites, bans, invite limits and the audit log.
 *
 * Each change and its audit entry are one transaction (`sql.begin`). A method that may find
 * nothing to change decides so from what its own statement did (a row locked, deleted, inserted
 * or updated), never from an earlier read, so a concurrent change cannot make it record a
 * change that did not happen, or miss one.
 */
import type { JSONValue, Sql } from "postgres";
import type {
  AuditEntryRecord,
  AuditQuery,
  BanRecord,
  ChannelPatch,
  GovernanceStore,
  IconRecord,
  InviteJoin,
  MemberRecord,
  OverwriteRecord,
  RolePatch,
  RoleRecord,
  ServerPatch,
} from "../governance_store.ts";
import type { ChannelRecord, InviteRecord, ServerRecord } from "../store.ts";
import { ChannelNameTakenError } from "../store.ts";
import { DEFAULT_EVERYONE_PERMISSIONS } from "../../lib/permissions/permission_names.ts";
import {
  type ChannelRow,
  type InviteRow,
  isUniqueViolation,
  type ServerRow,
  toChannel,
  toInvite,
  toServer,
} from "./rows.ts";
import { beginRetrying } from "./transaction.ts";
import {
  type BlobsOf,
  emojiBlobKey,
  iconBlobKey,
  IMAGE_MOVE_BATCH,
  imageOfBytes,
  moveOneImage,
  openImageBlob,
  putImageBlob,
  readImageBlob,
  type StoredImage,
} from "../blob_moves.ts";

/**
 * The advisory lock class (first key of the two-key form, whose space is apart from the
 * migration lock's single key) that orders a ban and a join of the same user and server.
 */
const BAN_LOCK_CLASS = 7_245_014;

interface RoleRow {
  server_id: string;
  id: string;
  name: string;
  color: number | null;
  position: number;
  permissions: string[];
  mentionable: boolean;
}

interface MemberRow {
  server_id: string;
  user_id: string;
  joined_at: Date;
  timeout_until: Date | null;
  role_ids: string[];
}

interface OverwriteRow {
  channel_id: string;
  target_id: string;
  type: "role" | "member";
  allow: string[];
  deny: string[];
}

interface BanRow {
  server_id: string;
  user_id: string;
  reason: string | null;
  created_at: Date;
}

interface AuditRow {
  id: string;
  server_id: string;
  action: string;
  actor_id: string;
  target_type: AuditEntryRecord["targetType"];
  target_id: string;
  reason: string | null;
  changes: AuditEntryRecord["changes"];
  created_at: Date;
}

/** A joinByInvite candidate: the invite locked, with its server's row. */
interface InviteJoinRow extends InviteRow {
  server_name: string;
  server_owner_id: string;
  server_created_at: Date;
  server_icon_version: string | null;
}

function toRole(row: RoleRow): RoleRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    name: row.name,
    color: row.color,
    position: row.position,
    permissions: row.permissions,
    mentionable: row.mentionable,
  };
}

function toMember(row: MemberRow): MemberRecord {
  return {
    serverId: row.server_id,
    userId: row.user_id,
    joinedAt: row.joined_at,
    roleIds: row.role_ids,
    timeoutUntil: row.timeout_until,
  };
}

function toOverwrite(row: OverwriteRow): OverwriteRecord {
  return {
    channelId: row.channel_id,
    targetId: row.target_id,
    type: row.type,
    allow: row.allow,
    deny: row.deny,
  };
}

function toBan(row: BanRow): BanRecord {
  return {
    serverId: row.server_id,
    userId: row.user_id,
    reason: row.reason,
    createdAt: row.created_at,
  };
}

function toAuditEntry(row: AuditRow): AuditEntryRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    action: row.action,
    actorId: row.actor_id,
    targetType: row.target_type,
    targetId: row.target_id,
    reason: row.reason,
    changes: row.changes,
    createdAt: row.created_at,
  };
}

/**
 * The columns of `values` that are given (not undefined) and differ from the row's, or null
 * when none does (compared as JSON, so arrays of permission names compare by content).
 */
function changedColumns<R extends object>(
  row: R,
  values: { [K in keyof R]?: R[K] },
): Partial<R> | null {
  const changed: Partial<R> = {};
  let any = false;
  for (const key of Object.keys(values) as (keyof R)[]) {
    const value = values[key];
    if (value === undefined || JSON.stringify(value) === JSON.stringify(row[key])) continue;
    changed[key] = value;
    any = true;
  }
  return any ? changed : null;
}

/** Writes the audit entry, if there is one, in the caller's transaction. */
export async function writeAudit(
  tx: Sql,
  audit: AuditEntryRecord | null | undefined,
): Promise<void> {
  if (!audit) return;
  await tx`INSERT INTO audit_log
      (id, server_id, action, actor_id, target_type, target_id, reason, changes, created_at)
    VALUES (${audit.id}, ${audit.serverId}, ${audit.action}, ${audit.actorId},
      ${audit.targetType}, ${audit.targetId}, ${audit.reason},
      ${tx.json(audit.changes as unknown as JSONValue)}, ${audit.createdAt})`;
}

/** Inserts a role row in the caller's transaction. */
async function insertRole(tx: Sql, role: RoleRecord): Promise<void> {
  await tx`INSERT INTO roles (server_id, id, name, color, position, permissions, mentionable)
    VALUES (${role.serverId}, ${role.id}, ${role.name}, ${role.color}, ${role.position},
      ${tx.array(role.permissions)}::text[], ${role.mentionable})`;
}

/** Inserts a new server's `@everyone` (Store.createServer, in its transaction). */
export async function insertEveryone(tx: Sql, serverId: string): Promise<void> {
  await insertRole(tx, {
    id: serverId,
    serverId,
    name: "@everyone",
    color: null,
    position: 0,
    permissions: [...DEFAULT_EVERYONE_PERMISSIONS],
    mentionable: false,
  });
}

/** Members with their role ids in the order they were given (see server_member_roles). */
function selectMembers(sql: Sql, serverId: string, userId?: string) {
  return sql<MemberRow[]>`SELECT m.server_id, m.user_id, m.joined_at, m.timeout_until,
      ARRAY(SELECT r.role_id FROM server_member_roles r
        WHERE r.server_id = m.server_id AND r.user_id = m.user_id ORDER BY r.granted) AS role_ids
    FROM server_members m
    WHERE m.server_id = ${serverId} ${userId === undefined ? sql`` : sql`AND m.user_id = ${userId}`}
    ORDER BY m.joined_at, m.user_id`;
}

/** The governance methods of the PostgreSQL store, over its connection pool. */
export class PostgresGovernance implements GovernanceStore {
  /**
   * Set by `attachBlobs` (PostgresStore.attachBlobStore): icons then go to the blob store at
   * `icons/<serverId>/<version>` (migration 016, db/blob_moves.ts); rows written before (or by
   * a store without one) keep their bytes until `moveIconsToBlobs`.
   */
  #blobs: BlobsOf | null = null;

  constructor(readonly sql: Sql) {}

  attachBlobs(blobs: BlobsOf): void {
    this.#blobs = blobs;
  }

  /** A transaction, run again when it is a deadlock's victim (see transaction.ts). */
  #begin<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return beginRetrying(this.sql, work);
  }

  updateServer(
    id: string,
    patch: ServerPatch,
    audit: AuditEntryRecord | null,
  ): Promise<ServerRecord | null> {
    return this.#begin(async (tx) => {
      const [before] = await tx<ServerRow[]>`SELECT * FROM servers
        WHERE id = ${id} FOR NO KEY UPDATE`;
      if (!before) return null;
      const columns = changedColumns(before, {
        name: patch.name,
        owner_id: patch.ownerId,
        icon_version: patch.iconVersion,
      });
      if (!columns) return toServer(before);
      const [row] = await tx<ServerRow[]>`UPDATE servers SET ${tx(columns)}
        WHERE id = ${id} RETURNING *`;
      await writeAudit(tx, audit);
      return toServer(row);
    });
  }

  async putServerIcon(
    id: string,
    icon: IconRecord,
    audit: AuditEntryRecord | null,
  ): Promise<ServerRecord | null> {
    // The blob goes first; the row then names it; the blob it named before goes after.
    const blobs = this.#blobs && await this.#blobs();
    if (blobs) {
      await putImageBlob(blobs, iconBlobKey(id, icon.version), icon.bytes, icon.contentType);
    }
    const result = await this.#begin(async (tx) => {
      const [row] = await tx<ServerRow[]>`UPDATE servers SET icon_version = ${icon.version}
        WHERE id = ${id} RETURNING *`;
      if (!row) return null;
      const [previous] = await tx<{ version: string; in_blob: boolean }[]>`
        SELECT version, in_blob FROM server_icons WHERE server_id = ${id} FOR UPDATE`;
      await tx`INSERT INTO server_icons (server_id, content_type, bytes, version, size, in_blob)
        VALUES (${id}, ${icon.contentType}, ${blobs ? null : icon.bytes}, ${icon.version},
          ${icon.bytes.length}, ${blobs !== null})
        ON CONFLICT (server_id) DO UPDATE SET content_type = excluded.content_type,
          bytes = excluded.bytes, version = excluded.version, size = excluded.size,
          in_blob = excluded.in_blob`;
      await writeAudit(tx, audit);
      return { server: toServer(row), previous };
    });
    // The blob nobody names: the new one if the server went meanwhile, else the replaced one.
    const stale = result === null
      ? icon.version
      : result.previous?.in_blob && result.previous.version !== icon.version
      ? result.previous.version
      : null;
    if (blobs && stale) await blobs.delete(iconBlobKey(id, stale));
    return result?.server ?? null;
  }

  async #iconRow(id: string) {
    const [row] = await this.sql<
      { content_type: string; bytes: Uint8Array | null; version: string; in_blob: boolean }[]
    >`SELECT content_type, bytes, version, in_blob FROM server_icons WHERE server_id = ${id}`;
    return row;
  }

  async findServerIcon(id: string): Promise<IconRecord | null> {
    const row = await this.#iconRow(id);
    if (!row) return null;
    const bytes = row.in_blob
      ? await readImageBlob(await this.#blobs!(), iconBlobKey(id, row.version))
      : row.bytes && new Uint8Array(row.bytes);
    return bytes && { contentType: row.content_type, bytes, version: row.version };
  }

  async openServerIcon(id: string): Promise<StoredImage | null> {
    const row = await this.#iconRow(id);
    if (!row) return null;
    const meta = { contentType: row.content_type, version: row.version };
    if (row.in_blob) {
      return await openImageBlob(await this.#blobs!(), iconBlobKey(id, row.version), meta);
    }
    return row.bytes && imageOfBytes(meta, new Uint8Array(row.bytes));
  }

  /** Copies icons still holding their bytes in their row into the blob store; how many. */
  async moveIconsToBlobs(): Promise<number> {
    let moved = 0;
    let after = "";
    for (;;) {
      const rows = await this.sql<{ server_id: string; version: string }[]>`
        SELECT server_id, version FROM server_icons WHERE NOT in_blob AND server_id > ${after}
        ORDER BY server_id LIMIT ${IMAGE_MOVE_BATCH}`;
      if (rows.length === 0) return moved;
      const blobs = await this.#blobs!();
      for (const { server_id: serverId, version } of rows) {
        after = serverId;
        const [old] = await this.sql<{ content_type: string; bytes: Uint8Array }[]>`
          SELECT content_type, bytes FROM server_icons
          WHERE server_id = ${serverId} AND version = ${version} AND NOT in_blob`;
        if (!old) continue;
        const bytes = new Uint8Array(old.bytes);
        const ok = await moveOneImage(
          blobs,
          iconBlobKey(serverId, version),
          { contentType: old.content_type, bytes },
          async () =>
            (await this.sql`UPDATE server_icons SET in_blob = true, bytes = NULL,
              size = ${bytes.length}
              WHERE server_id = ${serverId} AND version = ${version} AND NOT in_blob`)
              .count === 1,
          async () =>
            (await this.sql`SELECT 1 FROM server_icons
              WHERE server_id = ${serverId} AND version = ${version} AND in_blob`).length === 1,
        );
        if (ok) moved++;
      }
    }
  }

  async deleteServer(id: string): Promise<boolean> {
    // Channels (with messages, their reactions and pins, read markers, overwrites), members
    // (with their roles), roles, invites, bans, emoji, the icon and the audit log go with the
    // row (ON DELETE CASCADE); the change log has no foreign key (migration 009). The icon's
    // and emoji's blobs go after: their rows are locked first, so a start-up move flipping one
    // to its blob either commits before (and its blob is named here) or finds the row gone
    // (and removes the blob it wrote).
    const result = await this.#begin(async (tx) => {
      const icons = await tx<{ version: string; in_blob: boolean }[]>`
        SELECT version, in_blob FROM server_icons WHERE server_id = ${id} FOR UPDATE`;
      const emojis = await tx<{ id: string; in_blob: boolean }[]>`
        SELECT id, in_blob FROM emojis WHERE server_id = ${id} FOR UPDATE`;
      await tx`DELETE FROM message_changes
        WHERE channel_id IN (SELECT id FROM channels WHERE server_id = ${id})`;
      const rows = await tx`DELETE FROM servers WHERE id = ${id} RETURNING id`;
      return {
        deleted: rows.length === 1,
        blobKeys: [
          ...icons.filter((icon) => icon.in_blob).map((icon) => iconBlobKey(id, icon.version)),
          ...emojis.filter((emoji) => emoji.in_blob).map((emoji) => emojiBlobKey(id, emoji.id)),
        ],
      };
    });
    if (result.blobKeys.length > 0) {
      const blobs = await this.#blobs!();
      for (const key of result.blobKeys) await blobs.delete(key);
    }
    return result.deleted;
  }

  async updateChannel(
    id: string,
    patch: ChannelPatch,
    audit: AuditEntryRecord | null,
  ): Promise<ChannelRecord | null> {
    try {
      return await this.#begin(async (tx) => {
        const [before] = await tx<ChannelRow[]>`SELECT * FROM channels
          WHERE id = ${id} FOR NO KEY UPDATE`;
        if (!before) return null;
        const columns = changedColumns(before, {
          name: patch.name,
          topic: patch.topic,
          position: patch.position,
          parent_id: patch.parentId,
        });
        if (!columns) return toChannel(before);
        const [row] = await tx<ChannelRow[]>`UPDATE channels SET ${tx(columns)}
          WHERE id = ${id} RETURNING *`;
        await writeAudit(tx, audit);
        return toChannel(row);
      });
    } catch (error) {
      if (isUniqueViolation(error, "channels_server_id_name_key")) {
        throw new ChannelNameTakenError(patch.name ?? "");
      }
      throw error;
    }
  }

  deleteChannel(id: string, audit: AuditEntryRecord | null): Promise<boolean> {
    // Messages (with their reactions and pins), read markers and overwrites go with the row;
    // the channels of a deleted category move to none (parent_id ON DELETE SET NULL). The
    // change log has no foreign key (migration 009).
    return this.#deleteAudited(audit, async (tx) => {
      await tx`DELETE FROM message_changes WHERE channel_id = ${id}`;
      return await tx`DELETE FROM channels WHERE id = ${id} RETURNING id`;
    });
  }

  async listRoles(serverId: string): Promise<RoleRecord[]> {
    const rows = await this.sql<RoleRow[]>`SELECT * FROM roles WHERE server_id = ${serverId}
      ORDER BY position, id COLLATE "C"`;
    return rows.map(toRole);
  }

  async createRole(role: RoleRecord, audit: AuditEntryRecord | null): Promise<void> {
    await this.#begin(async (tx) => {
      await insertRole(tx, role);
      await writeAudit(tx, audit);
    });
  }

  updateRole(
    serverId: string,
    roleId: string,
    patch: RolePatch,
    audit: AuditEntryRecord | null,
  ): Promise<RoleRecord | null> {
    return this.#begin(async (tx) => {
      const [before] = await tx<RoleRow[]>`SELECT * FROM roles
        WHERE server_id = ${serverId} AND id = ${roleId} FOR NO KEY UPDATE`;
      if (!before) return null;
      const changed = changedColumns(before, patch);
      if (!changed) return toRole(before);
      // Every column from the locked row and the patch: the array goes as text[] explicitly
      // (an empty one has no element to infer its type from).
      const next = { ...before, ...changed };
      const [row] = await tx<RoleRow[]>`UPDATE roles SET name = ${next.name},
          color = ${next.color}, position = ${next.position},
          permissions = ${tx.array(next.permissions)}::text[], mentionable = ${next.mentionable}
        WHERE server_id = ${serverId} AND id = ${roleId} RETURNING *`;
      await writeAudit(tx, audit);
      return toRole(row);
    });
  }

  deleteRole(serverId: string, roleId: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#begin(async (tx) => {
      // Members stop holding it: server_member_roles cascades.
      const rows = await tx`DELETE FROM roles
        WHERE server_id = ${serverId} AND id = ${roleId} RETURNING id`;
      if (rows.length === 0) return false;
      await tx`DELETE FROM channel_overwrites o USING channels c
        WHERE c.id = o.channel_id AND c.server_id = ${serverId}
          AND o.type = 'role' AND o.target_id = ${roleId}`;
      await writeAudit(tx, audit);
      return true;
    });
  }

  async findMember(serverId: string, userId: string): Promise<MemberRecord | null> {
    const [row] = await selectMembers(this.sql, serverId, userId);
    return row ? toMember(row) : null;
  }

  async listMembers(serverId: string): Promise<MemberRecord[]> {
    return (await selectMembers(this.sql, serverId)).map(toMember);
  }

  setMemberRole(
    serverId: string,
    userId: string,
    roleId: string,
    add: boolean,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#begin(async (tx) => {
      // Key-share locks: a kick (of the member) or a role deletion waits for this transaction
      // instead of failing its insert's foreign key check halfway.
      const [member] = await tx`SELECT 1 FROM server_members
        WHERE server_id = ${serverId} AND user_id = ${userId} FOR KEY SHARE`;
      if (!member) return null;
      // `@everyone` (the server's id) is held implicitly, never stored.
      const changed = add
        ? await tx`INSERT INTO server_member_roles (server_id, user_id, role_id)
            SELECT server_id, ${userId}, id FROM roles
            WHERE server_id = ${serverId} AND id = ${roleId} AND id <> server_id FOR KEY SHARE
            ON CONFLICT DO NOTHING RETURNING role_id`
        : await tx`DELETE FROM server_member_roles
            WHERE server_id = ${serverId} AND user_id = ${userId} AND role_id = ${roleId}
            RETURNING role_id`;
      if (changed.length === 1) await writeAudit(tx, audit);
      const [row] = await selectMembers(tx, serverId, userId);
      return toMember(row);
    });
  }

  setMemberTimeout(
    serverId: string,
    userId: string,
    until: Date | null,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#begin(async (tx) => {
      const changed = await tx`UPDATE server_members SET timeout_until = ${until}
        WHERE server_id = ${serverId} AND user_id = ${userId}
          AND timeout_until IS DISTINCT FROM ${until}
        RETURNING user_id`;
      if (changed.length === 1) await writeAudit(tx, audit);
      const [row] = await selectMembers(tx, serverId, userId);
      return row ? toMember(row) : null;
    });
  }

  kickMember(serverId: string, userId: string, audit: AuditEntryRecord | null): Promise<boolean> {
    // The member's roles go with the row (server_member_roles cascades).
    return this.#deleteAudited(audit, (tx) =>
      tx`DELETE FROM server_members
        WHERE server_id = ${serverId} AND user_id = ${userId} RETURNING user_id`);
  }

  banMember(ban: BanRecord, audit: AuditEntryRecord | null): Promise<{ wasMember: boolean }> {
    return this.#begin(async (tx) => {
      await this.#lockBanOf(tx, ban.serverId, ban.userId);
      const removed = await tx`DELETE FROM server_members
        WHERE server_id = ${ban.serverId} AND user_id = ${ban.userId} RETURNING user_id`;
      const banned = await tx`INSERT INTO bans (server_id, user_id, reason, created_at)
        VALUES (${ban.serverId}, ${ban.userId}, ${ban.reason}, ${ban.createdAt})
        ON CONFLICT DO NOTHING RETURNING user_id`;
      if (removed.length === 1 || banned.length === 1) await writeAudit(tx, audit);
      return { wasMember: removed.length === 1 };
    });
  }

  unbanMember(serverId: string, userId: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#deleteAudited(audit, (tx) =>
      tx`DELETE FROM bans
        WHERE server_id = ${serverId} AND user_id = ${userId} RETURNING user_id`);
  }

  async findBan(serverId: string, userId: string): Promise<BanRecord | null> {
    const [row] = await this.sql<BanRow[]>`SELECT * FROM bans
      WHERE server_id = ${serverId} AND user_id = ${userId}`;
    return row ? toBan(row) : null;
  }

  async listBans(serverId: string): Promise<BanRecord[]> {
    const rows = await this.sql<BanRow[]>`SELECT * FROM bans WHERE server_id = ${serverId}
      ORDER BY created_at, user_id COLLATE "C"`;
    return rows.map(toBan);
  }

  async putOverwrite(overwrite: OverwriteRecord, audit: AuditEntryRecord | null): Promise<void> {
    const { channelId, targetId, type, allow, deny } = overwrite;
    await this.#begin(async (tx) => {
      // Written only while its channel (and, for a role's, the role) is there, under key-share
      // locks: a deleteChannel or deleteRole then waits for this transaction, and deleteRole's
      // deletion of the role's overwrites (a later statement) sees this one. Gone: none.
      const [channel] = await tx<{ server_id: string }[]>`SELECT server_id FROM channels
        WHERE id = ${channelId} FOR KEY SHARE`;
      if (!channel) return;
      if (type === "role") {
        const [role] = await tx`SELECT 1 FROM roles
          WHERE server_id = ${channel.server_id} AND id = ${targetId} FOR KEY SHARE`;
        if (!role) return;
      }
      // Nothing comes back when the overwrite was already exactly this: no entry then.
      const changed = await tx`INSERT INTO channel_overwrites
          (channel_id, target_id, type, allow, deny)
        VALUES (${channelId}, ${targetId}, ${type}, ${tx.array(allow)}::text[],
          ${tx.array(deny)}::text[])
        ON CONFLICT (channel_id, target_id) DO UPDATE
          SET type = excluded.type, allow = excluded.allow, deny = excluded.deny
          WHERE (channel_overwrites.type, channel_overwrites.allow, channel_overwrites.deny)
            IS DISTINCT FROM (excluded.type, excluded.allow, excluded.deny)
        RETURNING target_id`;
      if (changed.length === 1) await writeAudit(tx, audit);
    });
  }

  deleteOverwrite(
    channelId: string,
    targetId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    return this.#deleteAudited(audit, (tx) =>
      tx`DELETE FROM channel_overwrites
        WHERE channel_id = ${channelId} AND target_id = ${targetId} RETURNING target_id`);
  }

  async listOverwrites(serverId: string): Promise<OverwriteRecord[]> {
    const rows = await this.sql<OverwriteRow[]>`SELECT o.* FROM channel_overwrites o
      JOIN channels c ON c.id = o.channel_id WHERE c.server_id = ${serverId}
      ORDER BY c.created_at, c.id, o.target_id COLLATE "C"`;
    return rows.map(toOverwrite);
  }

  async listInvites(serverId: string): Promise<InviteRecord[]> {
    const rows = await this.sql<InviteRow[]>`SELECT * FROM invites WHERE server_id = ${serverId}
      ORDER BY created_at, code COLLATE "C"`;
    return rows.map(toInvite);
  }

  deleteInvite(code: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#deleteAudited(
      audit,
      (tx) => tx`DELETE FROM invites WHERE code = ${code} RETURNING code`,
    );
  }

  /**
   * The invite's row lock (FOR UPDATE) orders concurrent joins with it: each one reads the
   * uses the one before it committed, so they never pass max_uses. The lock of #lockBanOf
   * orders it against a ban of the same user, which therefore either comes first (and is
   * seen) or removes the membership made here.
   */
  joinByInvite(code: string, userId: string, now: Date): Promise<InviteJoin> {
    return this.#begin(async (tx): Promise<InviteJoin> => {
      // Locks in the order a server's deletion takes them (the server row, then its invites
      // through the cascade): the invite's row lock first would deadlock with a deletion.
      await tx`SELECT 1 FROM servers WHERE id = (SELECT server_id FROM invites WHERE code = ${code})
        FOR KEY SHARE`;
      const [invite] = await tx<InviteJoinRow[]>`SELECT i.*, s.name AS server_name,
          s.owner_id AS server_owner_id, s.created_at AS server_created_at,
          s.icon_version AS server_icon_version
        FROM invites i JOIN servers s ON s.id = i.server_id
        WHERE i.code = ${code} FOR UPDATE OF i`;
      if (!invite || !isUsable(invite, now)) return { status: "invalid" };
      await this.#lockBanOf(tx, invite.server_id, userId);
      const [ban] = await tx`SELECT 1 FROM bans
        WHERE server_id = ${invite.server_id} AND user_id = ${userId}`;
      if (ban) return { status: "banned" };
      const server = toServer({
        id: invite.server_id,
        name: invite.server_name,
        owner_id: invite.server_owner_id,
        created_at: invite.server_created_at,
        icon_version: invite.server_icon_version,
      });
      const joined = await tx`INSERT INTO server_members (server_id, user_id, joined_at)
        VALUES (${invite.server_id}, ${userId}, ${now}) ON CONFLICT DO NOTHING
        RETURNING user_id`;
      if (joined.length === 0) return { status: "member", server };
      await tx`UPDATE invites SET uses = uses + 1 WHERE code = ${code}`;
      return { status: "joined", server };
    });
  }

  async listAuditLog(serverId: string, query: AuditQuery): Promise<AuditEntryRecord[]> {
    const sql = this.sql;
    // Only the filters given are in the statement, so each shape of query gets the plan of
    // its own index (audit_log_server, _action, _actor) rather than one generic plan.
    const rows = await sql<AuditRow[]>`SELECT * FROM audit_log WHERE server_id = ${serverId}
      ${query.before === undefined ? sql`` : sql`AND id < ${query.before}`}
      ${query.action === undefined ? sql`` : sql`AND action = ${query.action}`}
      ${query.actorId === undefined ? sql`` : sql`AND actor_id = ${query.actorId}`}
      ORDER BY id DESC LIMIT ${query.limit}`;
    return rows.map(toAuditEntry);
  }

  /** Runs the delete and, if it deleted a row, writes the entry: one transaction. */
  #deleteAudited(
    audit: AuditEntryRecord | null,
    remove: (tx: Sql) => PromiseLike<readonly unknown[]>,
  ): Promise<boolean> {
    return this.#begin(async (tx) => {
      const rows = await remove(tx);
      if (rows.length === 0) return false;
      await writeAudit(tx, audit);
      return true;
    });
  }

  /** Held until the transaction ends: one ban or join of this user in this server at a time. */
  async #lockBanOf(tx: Sql, serverId: string, userId: string): Promise<void> {
    await tx`SELECT pg_advisory_xact_lock(${BAN_LOCK_CLASS},
      hashtext(${serverId} || ' ' || ${userId}))`;
  }
}

/** Not expired at `now` and not used up. */
function isUsable(invite: InviteRow, now: Date): boolean {
  const live = invite.expires_at === null || invite.expires_at.getTime() > now.getTime();
  return live && (invite.max_uses === 0 || invite.uses < invite.max_uses);
}
