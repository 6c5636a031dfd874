/**
 * The PostgreSQL backend (postgres.js), used when `DATABASE_URL` is set.
 *
 * Rows are snake_case; they become camelCase records in db/postgres (here, rows.ts and the
 * modules this class delegates to: two_factor.ts, governance.ts, conversations.ts), at the
 * storage boundary, and nowhere else. Uniqueness of usernames is the database's job (a unique
 * index).
 */
import {
  AVATAR_MOVE_BATCH,
  avatarBlobKey,
  type BlobsOf,
  imageOfBytes,
  moveOneAvatar,
  openImageBlob,
  putImageBlob,
  readImageBlob,
  type StoredImage,
} from "../blob_moves.ts";
import { appendQueue, settleRest } from "../append_queue.ts";
import type { AppendInput, AppendResult } from "../append_queue.ts";
import type { Settled } from "../group_commit.ts";
import postgres from "postgres";
import type { Sql } from "postgres";
import type { AttachmentRecord, AttachmentScope } from "../attachment_store.ts";
import { claimAttachments, PostgresAttachments } from "./attachments.ts";
import type { DmChannelRecord, DmPolicy, DmState } from "../dm_store.ts";
import { PostgresDms } from "./dms.ts";
import type {
  AuditEntryRecord,
  AuditQuery,
  AuthorMessageQuery,
  AvatarRecord,
  BanRecord,
  ChannelPatch,
  ChannelRecord,
  EmojiRecord,
  IconRecord,
  InviteJoin,
  InviteRecord,
  MemberRecord,
  MembershipRecord,
  MessageChange,
  MessageQuery,
  MessageRecord,
  NewMessage,
  OverwriteRecord,
  PasswordResetRecord,
  PinRecord,
  ProfilePatch,
  ReactionCount,
  RolePatch,
  RoleRecord,
  ServerPatch,
  ServerRecord,
  ServerState,
  SessionRecord,
  Store,
  TwoFactorRecord,
  UserRecord,
} from "../store.ts";
import {
  ChannelNameTakenError,
  NotAMemberError,
  OwnsServersError,
  UsernameTakenError,
} from "../store.ts";
import { guardOutages } from "../outage_boundary.ts";
import { insertEveryone, PostgresGovernance, writeAudit } from "./governance.ts";
import { connectMigrated } from "./connect.ts";
import { isPostgresOutage } from "./outage.ts";
import {
  type ChannelRow,
  type InviteRow,
  isForeignKeyViolation,
  isUniqueViolation,
  type MessageRow,
  type ServerRow,
  toChannel,
  toInvite,
  toMessage,
  toServer,
} from "./rows.ts";
import { PostgresConversations } from "./conversations.ts";
import { PostgresTwoFactor } from "./two_factor.ts";
import { PostgresNotifications } from "./notifications.ts";
import type { NotificationSettingRecord, PushSubscriptionRecord } from "../notification_store.ts";
import { searchMessages } from "./search.ts";
import { SearchBackfill } from "./search_backfill.ts";
import type { SearchCriteria } from "../search_store.ts";
import { transaction } from "./transaction.ts";

/** The largest value of a PostgreSQL integer (the type of seq). */
const MAX_SEQ = 2 ** 31 - 1;

export interface PostgresStoreOptions {
  /** A schema to create and use instead of `public` (tests give each run its own). */
  schema?: string;
  /** Connection pool size. */
  max?: number;
}

/** Connects, applies pending migrations and returns the store. */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const sql = await connectMigrated(url, { schema: options.schema, max: options.max ?? 10 });
  const store = new PostgresStore(sql);
  // Older messages get their search rows in the background (never blocks start-up).
  store.searchBackfill.start();
  return store;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  bio: string;
  password_hash: string;
  avatar_version: string | null;
  created_at: Date;
  suspended: boolean;
  email: string | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  user_agent: string;
  last_seen_at: Date;
}

/** A server joined to one of its channels (null columns: a server without channels). */
interface ChannelStateRow extends ServerRow {
  channel_id: string | null;
  channel_name: string | null;
  channel_created_at: Date | null;
  channel_kind: ChannelRecord["kind"] | null;
  parent_id: string | null;
  topic: string | null;
  position: number | null;
  last_seq: number | null;
  read_seq: number;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    bio: row.bio,
    passwordHash: row.password_hash,
    avatarVersion: row.avatar_version,
    createdAt: row.created_at,
    // Absent rather than false or null, as the record is on KV.
    ...(row.suspended ? { suspended: true as const } : {}),
    ...(row.email === null ? {} : { email: row.email }),
  };
}

interface PasswordResetRow {
  token_hash: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
}

function toPasswordReset(row: PasswordResetRow): PasswordResetRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    lastSeenAt: row.last_seen_at,
  };
}

/** Most messages one append statement carries. */
const APPEND_BATCH_MAX = 100;
/** Append statements in flight at once (never two for one channel; more wait and join the next). */
const APPEND_BATCHES_IN_FLIGHT = 2;
/**
 * Fewest messages a second statement starts with while one is in flight (fewer wait for it).
 * Tuned with the ingest benchmark: statements carrying one message went from 74 % to 16 %.
 */
const APPEND_MIN_BATCH_WHILE_BUSY = 16;

export class PostgresStore implements Store {
  #twoFactor: PostgresTwoFactor;
  /** Notification settings and push subscriptions (db/postgres/notifications.ts). */
  #notifications: PostgresNotifications;
  #governance: PostgresGovernance;
  #conversations: PostgresConversations;
  #attachments: PostgresAttachments;
  #dms: PostgresDms;
  /** Indexes messages older than search (db/postgres/search_backfill.ts). */
  readonly searchBackfill: SearchBackfill;

  constructor(readonly sql: Sql) {
    this.searchBackfill = new SearchBackfill(sql);
    this.#twoFactor = new PostgresTwoFactor(sql);
    this.#notifications = new PostgresNotifications(sql);
    this.#governance = new PostgresGovernance(sql);
    this.#conversations = new PostgresConversations(sql);
    this.#attachments = new PostgresAttachments(sql);
    this.#dms = new PostgresDms(sql);
    guardOutages(this, isPostgresOutage);
  }

  async createUser(user: UserRecord): Promise<void> {
    try {
      await this.sql`INSERT INTO users
        (id, username, display_name, bio, password_hash, avatar_version, created_at)
        VALUES (${user.id}, ${user.username}, ${user.displayName}, ${user.bio},
          ${user.passwordHash}, ${user.avatarVersion}, ${user.createdAt})`;
    } catch (error) {
      if (isUniqueViolation(error)) throw new UsernameTakenError(user.username);
      throw error;
    }
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`SELECT * FROM users WHERE id = ${id}`;
    return row ? toUser(row) : null;
  }

  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`SELECT * FROM users WHERE username = ${username}`;
    return row ? toUser(row) : null;
  }

  async deleteUser(id: string): Promise<boolean> {
    try {
      // Sessions, avatar, memberships and read markers go with the row (ON DELETE CASCADE).
      const rows = await this.sql<{ version: string | null }[]>`WITH avatar AS (
          SELECT version FROM avatars WHERE user_id = ${id} AND in_blob
        )
        DELETE FROM users WHERE id = ${id} RETURNING (SELECT version FROM avatar)`;
      // The avatar's row went with the user; its blob goes after.
      const blobVersion = rows[0]?.version;
      if (blobVersion && this.#blobs) {
        await (await this.#blobs()).delete(avatarBlobKey(id, blobVersion));
      }
      return rows.length === 1;
    } catch (error) {
      if (isForeignKeyViolation(error, "servers_owner_id_fkey")) throw new OwnsServersError(id);
      throw error;
    }
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`UPDATE users SET password_hash = ${passwordHash}
      WHERE id = ${id} RETURNING *`;
    return row ? toUser(row) : null;
  }

  async updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`UPDATE users SET
        display_name = coalesce(${patch.displayName ?? null}, display_name),
        bio = coalesce(${patch.bio ?? null}, bio)
      WHERE id = ${id} RETURNING *`;
    return row ? toUser(row) : null;
  }

  /** Set by `attachBlobStore`: avatars then go to the blob store (db/blob_moves.ts). */
  #blobs: BlobsOf | null = null;

  attachBlobStore(blobs: BlobsOf): Promise<void> {
    this.#blobs = blobs;
    // Server icons and custom emoji too (db/postgres/governance.ts, conversations.ts).
    this.#governance.attachBlobs(blobs);
    this.#conversations.attachBlobs(blobs);
    return Promise.resolve();
  }

  async putAvatar(userId: string, avatar: AvatarRecord): Promise<UserRecord | null> {
    // The blob goes first; the row then names it; the blob it named before goes after.
    const blobs = this.#blobs && await this.#blobs();
    if (blobs) {
      await putImageBlob(
        blobs,
        avatarBlobKey(userId, avatar.version),
        avatar.bytes,
        avatar.contentType,
      );
    }
    const result = await transaction(this.sql, async (tx) => {
      const [row] = await tx<UserRow[]>`UPDATE users SET avatar_version = ${avatar.version}
        WHERE id = ${userId} RETURNING *`;
      if (!row) return null;
      const [previous] = await tx<{ version: string; in_blob: boolean }[]>`
        SELECT version, in_blob FROM avatars WHERE user_id = ${userId} FOR UPDATE`;
      await tx`INSERT INTO avatars (user_id, content_type, bytes, version, size, in_blob)
        VALUES (${userId}, ${avatar.contentType}, ${blobs ? null : avatar.bytes},
          ${avatar.version}, ${avatar.bytes.length}, ${blobs !== null})
        ON CONFLICT (user_id) DO UPDATE SET content_type = excluded.content_type,
          bytes = excluded.bytes, version = excluded.version, size = excluded.size,
          in_blob = excluded.in_blob`;
      return { user: toUser(row), previous };
    });
    const stale = result === null
      ? (blobs && avatar.version)
      : (result.previous?.in_blob ? result.previous.version : null);
    if (blobs && stale) await blobs.delete(avatarBlobKey(userId, stale));
    return result?.user ?? null;
  }

  async findAvatar(userId: string): Promise<AvatarRecord | null> {
    const [row] = await this.sql<
      { content_type: string; bytes: Uint8Array | null; version: string; in_blob: boolean }[]
    >`SELECT content_type, bytes, version, in_blob FROM avatars WHERE user_id = ${userId}`;
    if (!row) return null;
    const bytes = row.in_blob
      ? await readImageBlob(await this.#blobs!(), avatarBlobKey(userId, row.version))
      : row.bytes && new Uint8Array(row.bytes);
    return bytes && { contentType: row.content_type, bytes, version: row.version };
  }

  async openAvatar(userId: string): Promise<StoredImage | null> {
    const [row] = await this.sql<
      { content_type: string; bytes: Uint8Array | null; version: string; in_blob: boolean }[]
    >`SELECT content_type, bytes, version, in_blob FROM avatars WHERE user_id = ${userId}`;
    if (!row) return null;
    const meta = { contentType: row.content_type, version: row.version };
    if (row.in_blob) {
      return await openImageBlob(await this.#blobs!(), avatarBlobKey(userId, row.version), meta);
    }
    return row.bytes && imageOfBytes(meta, new Uint8Array(row.bytes));
  }

  async moveServerImagesToBlobs(): Promise<{ icons: number; emojis: number }> {
    return {
      icons: await this.#governance.moveIconsToBlobs(),
      emojis: await this.#conversations.moveEmojisToBlobs(),
    };
  }

  async moveAvatarsToBlobs(): Promise<number> {
    let moved = 0;
    let after = "";
    for (;;) {
      const rows = await this.sql<{ user_id: string; version: string }[]>`
        SELECT user_id, version FROM avatars WHERE NOT in_blob AND user_id > ${after}
        ORDER BY user_id LIMIT ${AVATAR_MOVE_BATCH}`;
      if (rows.length === 0) return moved;
      const blobs = await this.#blobs!();
      for (const { user_id: userId, version } of rows) {
        after = userId;
        const [old] = await this.sql<{ content_type: string; bytes: Uint8Array }[]>`
          SELECT content_type, bytes FROM avatars
          WHERE user_id = ${userId} AND version = ${version} AND NOT in_blob`;
        if (!old) continue;
        const bytes = new Uint8Array(old.bytes);
        const ok = await moveOneAvatar(
          blobs,
          { userId, version, contentType: old.content_type, bytes },
          async () =>
            (await this.sql`UPDATE avatars SET in_blob = true, bytes = NULL,
              size = ${bytes.length}
              WHERE user_id = ${userId} AND version = ${version} AND NOT in_blob`).count === 1,
          async () =>
            (await this.sql`SELECT 1 FROM avatars
              WHERE user_id = ${userId} AND version = ${version} AND in_blob`).length === 1,
        );
        if (ok) moved++;
      }
    }
  }

  async listUsers(after: string | undefined, limit: number): Promise<UserRecord[]> {
    // COLLATE "C": byte order, as on KV (a locale's order skips the "." and "-" of usernames).
    const rows = await this.sql<UserRow[]>`SELECT * FROM users
      WHERE username COLLATE "C" > ${after ?? ""} ORDER BY username COLLATE "C" LIMIT ${limit}`;
    return rows.map(toUser);
  }

  async setSuspended(id: string, suspended: boolean): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`UPDATE users SET suspended = ${suspended}
      WHERE id = ${id} RETURNING *`;
    return row ? toUser(row) : null;
  }

  async setEmail(id: string, email: string | null): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`UPDATE users SET email = ${email}
      WHERE id = ${id} RETURNING *`;
    return row ? toUser(row) : null;
  }

  async createPasswordReset(reset: PasswordResetRecord): Promise<void> {
    // Links expired a day ago go as new ones come: the table stays small without a timer.
    await this.sql`DELETE FROM password_resets WHERE expires_at < now() - interval '1 day'`;
    await this.sql`INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
      VALUES (${reset.tokenHash}, ${reset.userId}, ${reset.createdAt}, ${reset.expiresAt})`;
  }

  async findPasswordReset(tokenHash: string): Promise<PasswordResetRecord | null> {
    const [row] = await this.sql<PasswordResetRow[]>`SELECT * FROM password_resets
      WHERE token_hash = ${tokenHash}`;
    return row ? toPasswordReset(row) : null;
  }

  async takePasswordReset(tokenHash: string): Promise<PasswordResetRecord | null> {
    const [row] = await this.sql<PasswordResetRow[]>`DELETE FROM password_resets
      WHERE token_hash = ${tokenHash} RETURNING *`;
    return row ? toPasswordReset(row) : null;
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.sql`INSERT INTO sessions
        (id, user_id, created_at, expires_at, user_agent, last_seen_at)
      VALUES (${session.id}, ${session.userId}, ${session.createdAt}, ${session.expiresAt},
        ${session.userAgent}, ${session.lastSeenAt})`;
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const [row] = await this.sql<SessionRow[]>`SELECT * FROM sessions
      WHERE id = ${id} AND expires_at > now()`;
    return row ? toSession(row) : null;
  }

  async deleteSession(id: string): Promise<void> {
    await this.sql`DELETE FROM sessions WHERE id = ${id}`;
  }

  async listSessionsOf(userId: string): Promise<SessionRecord[]> {
    const rows = await this.sql<SessionRow[]>`SELECT * FROM sessions
      WHERE user_id = ${userId} AND expires_at > now() ORDER BY created_at, id`;
    return rows.map(toSession);
  }

  async touchSession(id: string, lastSeenAt: Date): Promise<void> {
    await this.sql`UPDATE sessions SET last_seen_at = ${lastSeenAt} WHERE id = ${id}`;
  }

  async deleteSessionsOf(userId: string, exceptId?: string): Promise<string[]> {
    // Expired rows are never pruned, so they go too, but only live ones count as revoked.
    const rows = await this.sql<{ id: string; live: boolean }[]>`DELETE FROM sessions
      WHERE user_id = ${userId} AND id <> ${exceptId ?? ""}
      RETURNING id, expires_at > now() AS live`;
    return rows.filter((row) => row.live).map((row) => row.id);
  }

  findTwoFactor(userId: string): Promise<TwoFactorRecord | null> {
    return this.#twoFactor.findTwoFactor(userId);
  }

  setPendingTotp(userId: string, secret: string): Promise<void> {
    return this.#twoFactor.setPendingTotp(userId, secret);
  }

  activateTotp(
    userId: string,
    secret: string,
    recoveryCodeHashes: string[],
    step: number,
  ): Promise<boolean> {
    return this.#twoFactor.activateTotp(userId, secret, recoveryCodeHashes, step);
  }

  useTotpStep(userId: string, secret: string, step: number): Promise<boolean> {
    return this.#twoFactor.useTotpStep(userId, secret, step);
  }

  useRecoveryCode(userId: string, hash: string): Promise<boolean> {
    return this.#twoFactor.useRecoveryCode(userId, hash);
  }

  deleteTwoFactor(userId: string): Promise<void> {
    return this.#twoFactor.deleteTwoFactor(userId);
  }

  listNotificationSettings(userId: string): Promise<NotificationSettingRecord[]> {
    return this.#notifications.listNotificationSettings(userId);
  }

  putNotificationSetting(setting: NotificationSettingRecord): Promise<void> {
    return this.#notifications.putNotificationSetting(setting);
  }

  notificationSettingsOn(targetIds: string[]): Promise<NotificationSettingRecord[]> {
    return this.#notifications.notificationSettingsOn(targetIds);
  }

  putPushSubscription(subscription: PushSubscriptionRecord, maxPerUser: number): Promise<void> {
    return this.#notifications.putPushSubscription(subscription, maxPerUser);
  }

  deletePushSubscription(endpoint: string, userId?: string): Promise<boolean> {
    return this.#notifications.deletePushSubscription(endpoint, userId);
  }

  listPushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]> {
    return this.#notifications.listPushSubscriptions(userIds);
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    await this.sql`INSERT INTO settings (key, value) VALUES (${key}, ${value})
      ON CONFLICT (key) DO NOTHING`;
    const [row] = await this.sql<
      { value: string }[]
    >`SELECT value FROM settings WHERE key = ${key}`;
    return row.value;
  }

  async findUsersByIds(ids: string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<UserRow[]>`SELECT * FROM users WHERE id = ANY(${ids})`;
    return rows.map(toUser);
  }

  async createServer(server: ServerRecord, firstChannel: ChannelRecord): Promise<void> {
    await transaction(this.sql, async (tx) => {
      await tx`INSERT INTO servers (id, name, owner_id, created_at, icon_version)
        VALUES (${server.id}, ${server.name}, ${server.ownerId}, ${server.createdAt},
          ${server.iconVersion})`;
      await tx`INSERT INTO server_members (server_id, user_id, joined_at)
        VALUES (${server.id}, ${server.ownerId}, ${server.createdAt})`;
      await insertEveryone(tx, server.id);
      await insertChannel(tx, { ...firstChannel, serverId: server.id });
    });
  }

  async findServer(id: string): Promise<ServerRecord | null> {
    const [row] = await this.sql<ServerRow[]>`SELECT * FROM servers WHERE id = ${id}`;
    return row ? toServer(row) : null;
  }

  async listServersOf(userId: string): Promise<ServerRecord[]> {
    const rows = await this.sql<ServerRow[]>`SELECT s.* FROM servers s
      JOIN server_members m ON m.server_id = s.id
      WHERE m.user_id = ${userId} ORDER BY m.joined_at, s.id`;
    return rows.map(toServer);
  }

  async listMembershipsOf(userId: string): Promise<MembershipRecord[]> {
    const rows = await this.sql<(ServerRow & { joined_at: Date })[]>`SELECT s.*, m.joined_at
      FROM servers s JOIN server_members m ON m.server_id = s.id
      WHERE m.user_id = ${userId} ORDER BY m.joined_at, s.id`;
    return rows.map((row) => ({ server: toServer(row), joinedAt: row.joined_at }));
  }

  async addMember(serverId: string, userId: string, joinedAt: Date): Promise<boolean> {
    const rows = await this.sql`INSERT INTO server_members (server_id, user_id, joined_at)
      VALUES (${serverId}, ${userId}, ${joinedAt}) ON CONFLICT DO NOTHING RETURNING user_id`;
    return rows.length === 1;
  }

  async removeMember(serverId: string, userId: string): Promise<boolean> {
    const rows = await this.sql`DELETE FROM server_members
      WHERE server_id = ${serverId} AND user_id = ${userId} RETURNING user_id`;
    return rows.length === 1;
  }

  async isMember(serverId: string, userId: string): Promise<boolean> {
    const rows = await this.sql`SELECT 1 FROM server_members
      WHERE server_id = ${serverId} AND user_id = ${userId}`;
    return rows.length === 1;
  }

  async listMemberIds(serverId: string): Promise<string[]> {
    const rows = await this.sql<{ user_id: string }[]>`SELECT user_id FROM server_members
      WHERE server_id = ${serverId} ORDER BY joined_at, user_id`;
    return rows.map((row) => row.user_id);
  }

  async createChannel(channel: ChannelRecord, audit?: AuditEntryRecord | null): Promise<void> {
    try {
      await transaction(this.sql, async (tx) => {
        await insertChannel(tx, channel);
        await writeAudit(tx, audit);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ChannelNameTakenError(channel.name);
      throw error;
    }
  }

  async findChannel(id: string): Promise<ChannelRecord | null> {
    const [row] = await this.sql<ChannelRow[]>`SELECT * FROM channels WHERE id = ${id}`;
    return row ? toChannel(row) : null;
  }

  async listChannels(serverId: string): Promise<ChannelRecord[]> {
    const rows = await this.sql<ChannelRow[]>`SELECT * FROM channels
      WHERE server_id = ${serverId} ORDER BY created_at, id`;
    return rows.map(toChannel);
  }

  async lastSeq(channelId: string): Promise<number> {
    const [row] = await this.sql<{ last_seq: number }[]>`SELECT last_seq FROM channels
      WHERE id = ${channelId}`;
    return row?.last_seq ?? 0;
  }

  /**
   * One round trip: one query joins the user's memberships of these servers, their channels,
   * each channel's `last_seq` column and the user's read markers (a row per channel, or one
   * with null channel columns for a server without channels).
   */
  async channelStates(userId: string, serverIds: string[]): Promise<ServerState[]> {
    if (serverIds.length === 0) return [];
    const rows = await this.sql<ChannelStateRow[]>`
      SELECT s.id, s.name, s.owner_id, s.created_at, s.icon_version,
        c.id AS channel_id, c.name AS channel_name, c.created_at AS channel_created_at,
        c.kind AS channel_kind, c.parent_id, c.topic, c.position,
        c.last_seq, coalesce(r.seq, 0) AS read_seq
      FROM servers s
      JOIN server_members m ON m.server_id = s.id AND m.user_id = ${userId}
      LEFT JOIN channels c ON c.server_id = s.id
      LEFT JOIN read_markers r ON r.user_id = ${userId} AND r.channel_id = c.id
      WHERE s.id = ANY(${serverIds})
      ORDER BY c.created_at, c.id`;
    const states = new Map<string, ServerState>();
    for (const row of rows) {
      let state = states.get(row.id);
      if (!state) states.set(row.id, state = { server: toServer(row), channels: [] });
      if (row.channel_id === null) continue;
      state.channels.push({
        channel: {
          id: row.channel_id,
          serverId: row.id,
          name: row.channel_name!,
          createdAt: row.channel_created_at!,
          kind: row.channel_kind!,
          parentId: row.parent_id,
          topic: row.topic!,
          position: row.position!,
        },
        lastSeq: row.last_seq!,
        readSeq: row.read_seq,
      });
    }
    return [...new Set(serverIds)].flatMap((id) => states.get(id) ?? []);
  }

  async createInvite(invite: InviteRecord, audit?: AuditEntryRecord | null): Promise<void> {
    await transaction(this.sql, async (tx) => {
      await tx`INSERT INTO invites
          (code, server_id, created_by, created_at, expires_at, max_uses, uses)
        VALUES (${invite.code}, ${invite.serverId}, ${invite.createdBy}, ${invite.createdAt},
          ${invite.expiresAt}, ${invite.maxUses}, ${invite.uses})`;
      await writeAudit(tx, audit);
    });
  }

  async findInvite(code: string): Promise<InviteRecord | null> {
    const [row] = await this.sql<InviteRow[]>`SELECT * FROM invites WHERE code = ${code}`;
    return row ? toInvite(row) : null;
  }

  /** Sends that arrive together share one statement and one commit (see GroupCommit). */
  #appends = appendQueue((batch) => this.#appendBatch(batch), {
    maxBatch: APPEND_BATCH_MAX,
    maxInFlight: APPEND_BATCHES_IN_FLIGHT,
    minBatchWhileBusy: APPEND_MIN_BATCH_WHILE_BUSY,
  });

  appendMessage(message: NewMessage, memberOf?: string): Promise<AppendResult> {
    return this.#appends.submit({ message, memberOf });
  }

  /**
   * One statement for the batch: per channel, the counter moves by the number of its messages
   * (its row lock orders concurrent batches) and they take consecutive seqs in arrival order;
   * senders who are not members are left out. Whatever the statement does not settle (not a
   * member, no such channel, a resent nonce, a deadlock between instances) goes through the
   * one-at-a-time path, which says exactly what happened.
   */
  async #appendBatch(batch: AppendInput[]): Promise<Settled<AppendResult>[]> {
    const appendOne = ({ message, memberOf }: AppendInput) => this.#appendOne(message, memberOf);
    // A claim of attachments needs a transaction of its own: such a batch goes one at a time.
    if (batch.length === 1 || batch.some(({ message }) => (message.attachments?.length ?? 0) > 0)) {
      return await settleRest(batch, [], appendOne);
    }
    let rows: { id: string; seq: number }[];
    try {
      const column = <T>(pick: (input: AppendInput) => T) => batch.map(pick);
      rows = await this.sql<{ id: string; seq: number }[]>`
        WITH input AS (
          SELECT * FROM unnest(
            ${column((b) => b.message.id)}::text[],
            ${column((b) => b.message.channelId)}::text[],
            ${column((b) => b.message.authorId)}::text[],
            ${column((b) => b.message.content)}::text[],
            ${column((b) => b.message.createdAt.toISOString())}::timestamptz[],
            ${column((b) => b.message.nonce)}::text[],
            ${column((b) => b.memberOf ?? null)}::text[],
            ${column((b) => b.message.replyToId)}::text[],
            -- Each message's mentioned ids as one JSON array: unnest would flatten a text[][].
            ${column((b) => JSON.stringify(b.message.mentions.users))}::jsonb[],
            ${column((b) => b.message.mentions.everyone)}::boolean[]
          ) WITH ORDINALITY AS t(id, channel_id, author_id, content, created_at, nonce, member_of,
            reply_to_id, mention_users, mention_everyone, ord)
        ), allowed AS (
          SELECT * FROM input WHERE member_of IS NULL OR EXISTS (
            SELECT 1 FROM server_members m
            WHERE m.server_id = input.member_of AND m.user_id = input.author_id)
        ), counts AS (
          SELECT channel_id, count(*)::int AS n FROM allowed GROUP BY channel_id
        ), bumped AS (
          UPDATE channels c SET last_seq = c.last_seq + counts.n FROM counts
          WHERE c.id = counts.channel_id RETURNING c.id, c.last_seq, counts.n
        )
        INSERT INTO messages (id, channel_id, seq, author_id, content, created_at, nonce,
          reply_to_id, mention_user_ids, mention_everyone)
        SELECT a.id, a.channel_id,
          b.last_seq - b.n + row_number() OVER (PARTITION BY a.channel_id ORDER BY a.ord),
          a.author_id, a.content, a.created_at, a.nonce, a.reply_to_id,
          ARRAY(SELECT jsonb_array_elements_text(a.mention_users)), a.mention_everyone
        FROM allowed a JOIN bumped b ON b.id = a.channel_id
        RETURNING id, seq`;
    } catch {
      // A resent nonce or a deadlock: nothing of the batch was written.
      return await settleRest(batch, [], appendOne);
    }
    // Only the seqs come back: the rest is what was written (times have millisecond precision
    // on both sides).
    const seqs = new Map(rows.map((row) => [row.id, row.seq]));
    const written = batch.map(({ message }): AppendResult | undefined => {
      const seq = seqs.get(message.id);
      if (seq === undefined) return undefined;
      return { message: { ...message, seq, editedAt: null }, created: true };
    });
    return await settleRest(batch, written, appendOne);
  }

  async #appendOne(
    message: NewMessage,
    memberOf?: string,
  ): Promise<AppendResult> {
    // Resends are rare: try the insert first (one round trip) and look the nonce up only if
    // the unique index says it was sent before.
    try {
      // One statement: the counter's row lock orders concurrent senders, and a failed insert
      // rolls the increment back with it, so seq never skips.
      const insert = (sql: Sql) =>
        sql<MessageRow[]>`
        WITH next AS (
          UPDATE channels SET last_seq = last_seq + 1 WHERE id = ${message.channelId}
            AND (${memberOf ?? null}::text IS NULL OR EXISTS (
              SELECT 1 FROM server_members
              WHERE server_id = ${memberOf ?? null} AND user_id = ${message.authorId}))
          RETURNING last_seq
        )
        INSERT INTO messages (id, channel_id, seq, author_id, content, created_at, nonce,
          reply_to_id, mention_user_ids, mention_everyone, attachments)
        SELECT ${message.id}, ${message.channelId}, next.last_seq, ${message.authorId},
          ${message.content}, ${message.createdAt}, ${message.nonce}, ${message.replyToId},
          ${this.sql.array(message.mentions.users)}::text[], ${message.mentions.everyone},
          ${this.sql.json((message.attachments ?? []) as unknown as postgres.JSONValue)}
        FROM next
        RETURNING *`;
      // With files, their claim commits with the message (InvalidAttachmentError: neither).
      const [row] = (message.attachments?.length ?? 0) === 0
        ? await insert(this.sql)
        : await transaction(this.sql, async (tx) => {
          const rows = await insert(tx);
          if (rows.length > 0) await claimAttachments(tx, message);
          return rows;
        }) as MessageRow[];
      if (!row && memberOf !== undefined) throw new NotAMemberError(message.authorId, memberOf);
      if (!row) throw new Error(`No channel ${message.channelId}`);
      return { message: toMessage(row), created: true };
    } catch (error) {
      if (!isUniqueViolation(error, "messages_author_nonce")) throw error;
      // A concurrent send of the same nonce won the race.
      return {
        message: (await this.#findByNonce(message.authorId, message.nonce))!,
        created: false,
      };
    }
  }

  async #findByNonce(authorId: string, nonce: string | null): Promise<MessageRecord | null> {
    if (nonce === null) return null;
    const [row] = await this.sql<MessageRow[]>`SELECT * FROM messages
      WHERE author_id = ${authorId} AND nonce = ${nonce}`;
    return row ? toMessage(row) : null;
  }

  async listMessages(channelId: string, query: MessageQuery): Promise<MessageRecord[]> {
    // seq is a PostgreSQL integer; a bound past its range would be "integer out of range" (a 500
    // for `?after=2147483648`, an internal_error for such a `resume`): nothing lies beyond it.
    const after = query.after ?? 0;
    if (after >= MAX_SEQ) return [];
    const before = Math.min(query.before ?? MAX_SEQ, MAX_SEQ);
    // With only `before`, the page is the latest messages below it; shown ascending.
    const rows = query.after === undefined
      ? await this.sql<MessageRow[]>`SELECT * FROM (
          SELECT * FROM messages WHERE channel_id = ${channelId} AND seq < ${before}
          ORDER BY seq DESC LIMIT ${query.limit}) page ORDER BY seq`
      : await this.sql<MessageRow[]>`SELECT * FROM messages
          WHERE channel_id = ${channelId} AND seq > ${after} AND seq < ${before}
          ORDER BY seq LIMIT ${query.limit}`;
    return rows.map(toMessage);
  }

  async findMessage(id: string): Promise<MessageRecord | null> {
    const [row] = await this.sql<MessageRow[]>`SELECT * FROM messages WHERE id = ${id}`;
    return row ? toMessage(row) : null;
  }

  async listMessagesByAuthor(
    authorId: string,
    query: AuthorMessageQuery,
  ): Promise<MessageRecord[]> {
    // Byte order ("C"), as KV lists its keys, whatever the database's collation: the index
    // messages_author_id (migration 007) serves exactly this order.
    const rows = query.afterId === undefined
      ? await this.sql<MessageRow[]>`SELECT * FROM messages WHERE author_id = ${authorId}
          ORDER BY id COLLATE "C" LIMIT ${query.limit}`
      : await this.sql<MessageRow[]>`SELECT * FROM messages WHERE author_id = ${authorId}
          AND id COLLATE "C" > ${query.afterId}
          ORDER BY id COLLATE "C" LIMIT ${query.limit}`;
    return rows.map(toMessage);
  }

  createAttachment(record: AttachmentRecord): Promise<void> {
    return this.#attachments.createAttachment(record);
  }

  findAttachments(ids: string[]): Promise<AttachmentRecord[]> {
    return this.#attachments.findAttachments(ids);
  }

  uploadedBytesOf(userId: string): Promise<number> {
    return this.#attachments.uploadedBytesOf(userId);
  }

  listUnclaimedAttachments(before: Date, limit: number): Promise<AttachmentRecord[]> {
    return this.#attachments.listUnclaimedAttachments(before, limit);
  }

  attachmentsOf(scope: AttachmentScope, limit: number): Promise<AttachmentRecord[]> {
    return this.#attachments.attachmentsOf(scope, limit);
  }

  deleteAttachments(
    ids: string[],
    options?: { unclaimedOnly?: boolean },
  ): Promise<AttachmentRecord[]> {
    return this.#attachments.deleteAttachments(ids, options);
  }

  editMessage(id: string, content: string, editedAt: Date): Promise<MessageRecord | null> {
    return this.#conversations.editMessage(id, content, editedAt);
  }

  deleteMessage(id: string, audit?: AuditEntryRecord | null): Promise<boolean> {
    return this.#conversations.deleteMessage(id, audit);
  }

  async setReadMarker(userId: string, channelId: string, seq: number): Promise<number> {
    const [row] = await this.sql<{ seq: number }[]>`
      INSERT INTO read_markers (user_id, channel_id, seq) VALUES (${userId}, ${channelId}, ${seq})
      ON CONFLICT (user_id, channel_id)
        DO UPDATE SET seq = greatest(read_markers.seq, excluded.seq)
      RETURNING seq`;
    return row.seq;
  }

  async readMarkers(userId: string): Promise<Map<string, number>> {
    const rows = await this.sql<{ channel_id: string; seq: number }[]>`
      SELECT channel_id, seq FROM read_markers WHERE user_id = ${userId}`;
    return new Map(rows.map((row) => [row.channel_id, row.seq]));
  }

  // Governance (db/postgres/governance.ts).

  updateServer(id: string, patch: ServerPatch, audit: AuditEntryRecord | null) {
    return this.#governance.updateServer(id, patch, audit);
  }

  putServerIcon(id: string, icon: IconRecord, audit: AuditEntryRecord | null) {
    return this.#governance.putServerIcon(id, icon, audit);
  }

  findServerIcon(id: string): Promise<IconRecord | null> {
    return this.#governance.findServerIcon(id);
  }

  openServerIcon(id: string): Promise<StoredImage | null> {
    return this.#governance.openServerIcon(id);
  }

  deleteServer(id: string): Promise<boolean> {
    return this.#governance.deleteServer(id);
  }

  updateChannel(id: string, patch: ChannelPatch, audit: AuditEntryRecord | null) {
    return this.#governance.updateChannel(id, patch, audit);
  }

  deleteChannel(id: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#governance.deleteChannel(id, audit);
  }

  listRoles(serverId: string): Promise<RoleRecord[]> {
    return this.#governance.listRoles(serverId);
  }

  createRole(role: RoleRecord, audit: AuditEntryRecord | null): Promise<void> {
    return this.#governance.createRole(role, audit);
  }

  updateRole(serverId: string, roleId: string, patch: RolePatch, audit: AuditEntryRecord | null) {
    return this.#governance.updateRole(serverId, roleId, patch, audit);
  }

  deleteRole(serverId: string, roleId: string, audit: AuditEntryRecord | null) {
    return this.#governance.deleteRole(serverId, roleId, audit);
  }

  findMember(serverId: string, userId: string): Promise<MemberRecord | null> {
    return this.#governance.findMember(serverId, userId);
  }

  listMembers(serverId: string): Promise<MemberRecord[]> {
    return this.#governance.listMembers(serverId);
  }

  setMemberRole(
    serverId: string,
    userId: string,
    roleId: string,
    add: boolean,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#governance.setMemberRole(serverId, userId, roleId, add, audit);
  }

  setMemberTimeout(
    serverId: string,
    userId: string,
    until: Date | null,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#governance.setMemberTimeout(serverId, userId, until, audit);
  }

  kickMember(serverId: string, userId: string, audit: AuditEntryRecord | null) {
    return this.#governance.kickMember(serverId, userId, audit);
  }

  banMember(ban: BanRecord, audit: AuditEntryRecord | null) {
    return this.#governance.banMember(ban, audit);
  }

  unbanMember(serverId: string, userId: string, audit: AuditEntryRecord | null) {
    return this.#governance.unbanMember(serverId, userId, audit);
  }

  findBan(serverId: string, userId: string): Promise<BanRecord | null> {
    return this.#governance.findBan(serverId, userId);
  }

  listBans(serverId: string): Promise<BanRecord[]> {
    return this.#governance.listBans(serverId);
  }

  putOverwrite(overwrite: OverwriteRecord, audit: AuditEntryRecord | null): Promise<void> {
    return this.#governance.putOverwrite(overwrite, audit);
  }

  deleteOverwrite(channelId: string, targetId: string, audit: AuditEntryRecord | null) {
    return this.#governance.deleteOverwrite(channelId, targetId, audit);
  }

  listOverwrites(serverId: string): Promise<OverwriteRecord[]> {
    return this.#governance.listOverwrites(serverId);
  }

  listInvites(serverId: string): Promise<InviteRecord[]> {
    return this.#governance.listInvites(serverId);
  }

  deleteInvite(code: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#governance.deleteInvite(code, audit);
  }

  joinByInvite(code: string, userId: string, now: Date): Promise<InviteJoin> {
    return this.#governance.joinByInvite(code, userId, now);
  }

  listAuditLog(serverId: string, query: AuditQuery): Promise<AuditEntryRecord[]> {
    return this.#governance.listAuditLog(serverId, query);
  }

  // Conversations (db/postgres/conversations.ts).

  findMessages(ids: string[]): Promise<MessageRecord[]> {
    return this.#conversations.findMessages(ids);
  }

  addReaction(messageId: string, emoji: string, userId: string, at: Date, maxDistinct: number) {
    return this.#conversations.addReaction(messageId, emoji, userId, at, maxDistinct);
  }

  removeReaction(messageId: string, emoji: string, userId: string, at: Date) {
    return this.#conversations.removeReaction(messageId, emoji, userId, at);
  }

  reactionsOf(messageIds: string[], readerId: string): Promise<Map<string, ReactionCount[]>> {
    return this.#conversations.reactionsOf(messageIds, readerId);
  }

  listReactionUsers(messageId: string, emoji: string, after: string | undefined, limit: number) {
    return this.#conversations.listReactionUsers(messageId, emoji, after, limit);
  }

  pinMessage(pin: PinRecord, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#conversations.pinMessage(pin, audit);
  }

  unpinMessage(channelId: string, messageId: string, at: Date, audit: AuditEntryRecord | null) {
    return this.#conversations.unpinMessage(channelId, messageId, at, audit);
  }

  listPins(channelId: string): Promise<PinRecord[]> {
    return this.#conversations.listPins(channelId);
  }

  pinsOf(messageIds: string[]): Promise<Set<string>> {
    return this.#conversations.pinsOf(messageIds);
  }

  changedSince(channelId: string, since: Date, limit: number): Promise<MessageChange[]> {
    return this.#conversations.changedSince(channelId, since, limit);
  }

  createEmoji(emoji: EmojiRecord, bytes: Uint8Array, audit: AuditEntryRecord | null) {
    return this.#conversations.createEmoji(emoji, bytes, audit);
  }

  listEmojis(serverId: string): Promise<EmojiRecord[]> {
    return this.#conversations.listEmojis(serverId);
  }

  findEmojiImage(emojiId: string) {
    return this.#conversations.findEmojiImage(emojiId);
  }

  openEmojiImage(emojiId: string) {
    return this.#conversations.openEmojiImage(emojiId);
  }

  deleteEmoji(serverId: string, emojiId: string, audit: AuditEntryRecord | null) {
    return this.#conversations.deleteEmoji(serverId, emojiId, audit);
  }

  /** Search (db/postgres/search.ts), with the fallback for unindexed rows until the backfill is done. */
  async searchMessages(criteria: SearchCriteria): Promise<MessageRecord[]> {
    return await searchMessages(this.sql, criteria, await this.searchBackfill.complete());
  }

  // Direct messages (db/dm_store.ts): db/{kv,postgres}/dms.ts.

  openDm(
    channel: ChannelRecord,
    openerId: string,
    otherId: string,
  ): Promise<{ dm: DmChannelRecord; created: boolean }> {
    return this.#dms.openDm(channel, openerId, otherId);
  }

  createGroupDm(channel: ChannelRecord, memberIds: string[]): Promise<DmChannelRecord> {
    return this.#dms.createGroupDm(channel, memberIds);
  }

  findDmChannel(channelId: string): Promise<DmChannelRecord | null> {
    return this.#dms.findDmChannel(channelId);
  }

  isDmMember(channelId: string, userId: string): Promise<boolean> {
    return this.#dms.isDmMember(channelId, userId);
  }

  listDmsOf(userId: string, includeClosed?: boolean): Promise<DmState[]> {
    return this.#dms.listDmsOf(userId, includeClosed);
  }

  listDmIdsOf(userId: string): Promise<string[]> {
    return this.#dms.listDmIdsOf(userId);
  }

  addDmRecipient(channelId: string, userId: string, max: number): Promise<boolean> {
    return this.#dms.addDmRecipient(channelId, userId, max);
  }

  removeDmRecipient(channelId: string, userId: string): Promise<boolean> {
    return this.#dms.removeDmRecipient(channelId, userId);
  }

  setDmClosed(channelId: string, userId: string, closed: boolean): Promise<boolean> {
    return this.#dms.setDmClosed(channelId, userId, closed);
  }

  setDmName(channelId: string, name: string): Promise<boolean> {
    return this.#dms.setDmName(channelId, name);
  }

  blockUser(userId: string, blockedId: string, at: Date): Promise<boolean> {
    return this.#dms.blockUser(userId, blockedId, at);
  }

  unblockUser(userId: string, blockedId: string): Promise<boolean> {
    return this.#dms.unblockUser(userId, blockedId);
  }

  hasBlocked(userId: string, blockedId: string): Promise<boolean> {
    return this.#dms.hasBlocked(userId, blockedId);
  }

  listBlockedIds(userId: string): Promise<string[]> {
    return this.#dms.listBlockedIds(userId);
  }

  findDmPolicy(userId: string): Promise<DmPolicy> {
    return this.#dms.findDmPolicy(userId);
  }

  setDmPolicy(userId: string, policy: DmPolicy): Promise<void> {
    return this.#dms.setDmPolicy(userId, policy);
  }
  async close(): Promise<void> {
    await this.searchBackfill.stop();
    await this.sql.end({ timeout: 5 });
  }
}

/** Inserts a channel row with every field of the record. */
async function insertChannel(tx: Sql, channel: ChannelRecord): Promise<void> {
  await tx`INSERT INTO channels (id, server_id, name, created_at, kind, parent_id, topic, position)
    VALUES (${channel.id}, ${channel.serverId}, ${channel.name}, ${channel.createdAt},
      ${channel.kind}, ${channel.parentId}, ${channel.topic}, ${channel.position})`;
}
