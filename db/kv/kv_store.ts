/**
 * The Deno KV backend: the embedded default, and the database of Deno Deploy.
 *
 * Keys (in the style of denoland/saaskit):
 * - `["users", id]` → UserRecord
 * - `["users_by_username", username]` → id (uniqueness through an atomic `versionstamp: null` check)
 * - `["sessions", id]` → SessionRecord, with `expireIn` so KV drops it by itself;
 *   `["user_sessions", userId, id]` → true, with the same expiry (a user's sessions list)
 * - `["avatars", userId]` → ChunkedMeta; the bytes in the blob store at
 *   `avatars/<userId>/<version>` (`inBlob`, db/blob_moves.ts), or, stored before that, in
 *   `["avatar_chunks", userId, version, i]` (one KV value holds at most 64 KiB) until the
 *   start-up move copies them; `["blob_moves", "avatars"]` → true once none is left
 * - `["settings", key]` → string
 * - `["servers", id]` → ServerRecord; `["server_members", serverId, userId]` and
 *   `["user_servers", userId, serverId]` → join time (both sides of the membership)
 * - `["channels", id]` → ChannelRecord; `["server_channels", serverId, id]` → ChannelRecord;
 *   `["channel_names", serverId, name]` → id (uniqueness)
 * - `["channel_seq", channelId]` → the channel's last seq (the commit's version check on it
 *   orders concurrent senders)
 * - `["messages", channelId, seq]` → MessageRecord, so history is a range scan;
 *   `["message_ids", id]` and `["message_nonces", authorId, nonce]` → [channelId, seq];
 *   `["author_messages", authorId, id]` → [channelId, seq] (a user's messages across channels,
 *   for the data export: db/kv/author_messages.ts)
 * - `["password_resets", tokenHash]` → PasswordResetRecord, with `expireIn` (lazily dropped)
 * - `["invites", code]` → InviteRecord; `["read_markers", userId, channelId]` → seq
 * - `["two_factor", userId]` → TwoFactorRecord (db/kv/two_factor.ts)
 * - `["migrations", name]` → true once a one-time data change has run (indexLegacySessions)
 * - roles, member states, bans, overwrites, the invites index, the audit log, server icons and
 *   pending purges: db/kv/governance_keys.ts (which also says how deletions gate reads)
 * - reactions, pins, the change log and custom emoji: db/kv/conversation_keys.ts
 */
import { appendQueue, settleRest } from "../append_queue.ts";
import type { AppendInput, AppendResult } from "../append_queue.ts";
import type { Settled } from "../group_commit.ts";
import { guardOutages } from "../outage_boundary.ts";
import { retry, TRY_AGAIN } from "../retry.ts";
import { listAuditLog } from "./audit_log.ts";
import {
  authorMessageAddresses,
  authorMessageKey,
  indexLegacyAuthorMessages,
} from "./author_messages.ts";
import { KvChannelAdmin } from "./channel_admin.ts";
import {
  changeAtKeyOf,
  channelReactionsKeyOf,
  messagePinKeyOf,
  pinKeyOf,
  summaryKeyOf,
} from "./conversation_keys.ts";
import { KvEmojis } from "./emojis.ts";
import { claimAttachments, KvAttachments } from "./attachments.ts";
import { type ChunkedMeta, deleteChunks, readChunks, writeChunks } from "./chunks.ts";
import {
  avatarBlobKey,
  type BlobsOf,
  imageOfBytes,
  moveOneAvatar,
  openImageBlob,
  putImageBlob,
  readImageBlob,
  type StoredImage,
} from "../blob_moves.ts";
import { getAll, getEntries, listAll, optimistically, whenUnlocked } from "./commits.ts";
import { channelKeyOf, memberKeyOf, roleKeyOf, serverKeyOf, withAudit } from "./governance_keys.ts";
import { indexInvites, KvInvites } from "./invites.ts";
import type { KvBusTransport } from "./kv_bus_transport.ts";
import { idOf, KnownEntries } from "./known_entries.ts";
import { isKvOutage, isLocked } from "./locked.ts";
import { addMembership, KvMembers } from "./members.ts";
import { changedSince, withChange } from "./message_changes.ts";
import { KvOverwrites } from "./overwrites.ts";
import { KvPins } from "./pins.ts";
import { type Purge, purgeKeyOf, Purger } from "./purge.ts";
import { KvReactions } from "./reactions.ts";
import {
  channelWithDefaults,
  everyoneRole,
  messageWithDefaults,
  serverWithDefaults,
} from "./records.ts";
import { KvRoles } from "./roles.ts";
import { KvSearchBackfill } from "./search_backfill.ts";
import { KvSearchIndex } from "./search_index.ts";
import { reindexMessage, termsOf, unindexMessage } from "./search_keys.ts";
import { type Indexable, KvSearchWriter, pendingWrite } from "./search_writer.ts";
import type { SearchCriteria } from "../search_store.ts";
import { KvServerAdmin } from "./server_admin.ts";
import { KvTwoFactor, twoFactorKeyOf } from "./two_factor.ts";
import { KvNotifications } from "./notifications.ts";
import type { NotificationSettingRecord, PushSubscriptionRecord } from "../notification_store.ts";
import type {
  AuditEntryRecord,
  AuditQuery,
  BanRecord,
  ChannelPatch,
  IconRecord,
  InviteJoin,
  MemberRecord,
  OverwriteRecord,
  RolePatch,
  RoleRecord,
  ServerPatch,
} from "../governance_store.ts";
import type {
  EmojiRecord,
  MessageChange,
  PinRecord,
  ReactionCount,
} from "../conversation_store.ts";
import type {
  AuthorMessageQuery,
  AvatarRecord,
  ChannelRecord,
  InviteRecord,
  MembershipRecord,
  MessageQuery,
  MessageRecord,
  NewMessage,
  PasswordResetRecord,
  ProfilePatch,
  ServerRecord,
  ServerState,
  SessionRecord,
  Store,
  TwoFactorRecord,
  UserRecord,
} from "../store.ts";
import { NotAMemberError, OwnsServersError, UsernameTakenError } from "../store.ts";
import type { AttachmentRecord, AttachmentScope } from "../attachment_store.ts";
import type { DmChannelRecord, DmPolicy, DmState } from "../dm_store.ts";
import { KvDms } from "./dms.ts";

/** Appends to a busy channel retry longer: every concurrent sender competes for one counter. */
const MAX_APPEND_ATTEMPTS = 200;

type MessageAddress = [channelId: string, seq: number];

/**
 * Commits, treating SQLite's "database is locked" (another handle on the same local file is
 * writing) like a lost race: a batch append then goes the one-at-a-time way, which retries.
 */
async function commitOrBusy(
  op: Deno.AtomicOperation,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  try {
    return await op.commit();
  } catch (error) {
    if (isLocked(error)) return { ok: false };
    throw error;
  }
}

/** How a KV store is opened. */
export interface KvStoreOptions {
  /**
   * Keep the search index (db/kv/search_keys.ts) with every message write: the default. Only
   * bench/search.ts turns it off, to measure what it costs a send.
   */
  searchIndex?: boolean;
}

/** Opens a KV store; `path` undefined opens the platform's database on Deno Deploy. */
export async function openKvStore(path?: string, options: KvStoreOptions = {}): Promise<KvStore> {
  const store = new KvStore(await Deno.openKv(path), options);
  await store.indexLegacySessions();
  await indexLegacyAuthorMessages(store.kv);
  await indexInvites(store.kv);
  await store.resumePurges();
  // Messages stored before search get their index keys in the background.
  store.searchBackfill.start();
  return store;
}

const userSessionKeyOf = (session: SessionRecord): Deno.KvKey => [
  "user_sessions",
  session.userId,
  session.id,
];

/** Milliseconds until the session expires (at least 1: KV refuses 0). */
function expiryOf(session: SessionRecord): number {
  return Math.max(1, session.expiresAt.getTime() - Date.now());
}

/** Sessions stored before `userAgent` and `lastSeenAt` existed read as unknown and unused. */
function withSessionDefaults(session: SessionRecord): SessionRecord {
  return {
    ...session,
    userAgent: session.userAgent ?? "",
    lastSeenAt: session.lastSeenAt ?? session.createdAt,
  };
}

/**
 * Most messages one append commit carries (each adds up to 4 checks: counter, channel,
 * membership, nonce; 5 mutations, and at most MESSAGE_MAX_LENGTH characters: below KV's limits
 * of 100 checks and 1000 mutations a commit, and far below its size limit).
 */
const APPEND_BATCH_MAX = 20;
/** Append commits in flight at once (never two for one channel; more wait and join the next). */
const APPEND_BATCHES_IN_FLIGHT = 2;
/** Fewest messages a second commit starts with while one is in flight (fewer wait for it). */
const APPEND_MIN_BATCH_WHILE_BUSY = 8;
/**
 * What one append commit may carry: below KV's 1000 mutations per commit (its search index is
 * written after it: db/kv/search_writer.ts). A message that would go over goes the
 * one-at-a-time way.
 */
const APPEND_BATCH_MUTATIONS_MAX = 900;
/** Channel counters and memberships an instance remembers for its appends (see KnownEntries). */
const KNOWN_ENTRIES_MAX = 20_000;

const nonceKeyOf = (message: NewMessage): Deno.KvKey => [
  "message_nonces",
  message.authorId,
  message.nonce ?? "",
];

const counterKeyOf = (channelId: string): Deno.KvKey => ["channel_seq", channelId];
const avatarChunksOf = (userId: string): Deno.KvKey => ["avatar_chunks", userId];
/** Set once a move found no old-format avatar left: later start-ups skip the scan. */
const AVATARS_MOVED: Deno.KvKey = ["blob_moves", "avatars"];

/** The distinct keys of a list. */
function unique(keys: Deno.KvKey[]): Deno.KvKey[] {
  return [...new Map(keys.map((key) => [idOf(key), key])).values()];
}

export class KvStore implements Store {
  /** Counters and memberships that appends check instead of reading. */
  #known = new KnownEntries(KNOWN_ENTRIES_MAX);
  #closed = false;
  #twoFactor: KvTwoFactor;
  /** Notification settings and push subscriptions (db/kv/notifications.ts). */
  #notifications: KvNotifications;
  /** Removes what deleted channels and servers leave in the background. */
  #purger: Purger;
  #serverAdmin: KvServerAdmin;
  #channelAdmin: KvChannelAdmin;
  #roles: KvRoles;
  #members: KvMembers;
  #overwrites: KvOverwrites;
  #invites: KvInvites;
  #reactions: KvReactions;
  #pins: KvPins;
  #emojis: KvEmojis;
  #attachments: KvAttachments;
  #dms: KvDms;
  #search: KvSearchIndex;
  /** Indexes messages stored before search (db/kv/search_backfill.ts). */
  readonly searchBackfill: KvSearchBackfill;
  /** False only in bench/search.ts (KvStoreOptions.searchIndex). */
  #indexing: boolean;
  /** Indexes sends a moment after their commits, many at once (db/kv/search_writer.ts). */
  readonly searchWriter: KvSearchWriter;

  constructor(readonly kv: Deno.Kv, options: KvStoreOptions = {}) {
    this.#indexing = options.searchIndex ?? true;
    this.searchBackfill = new KvSearchBackfill(kv, this.#indexing);
    this.searchWriter = new KvSearchWriter(kv);
    this.#twoFactor = new KvTwoFactor(kv);
    this.#notifications = new KvNotifications(kv);
    this.#purger = new Purger(
      kv,
      (serverId, userId) => this.#known.forget(memberKeyOf(serverId, userId)),
    );
    this.#purger.attachSearchFlush(() => this.searchWriter.flush());
    this.#serverAdmin = new KvServerAdmin(kv, this.#purger);
    this.#channelAdmin = new KvChannelAdmin(kv, this.#purger, this.#known);
    this.#roles = new KvRoles(kv);
    this.#members = new KvMembers(kv, this.#known);
    this.#overwrites = new KvOverwrites(kv);
    this.#invites = new KvInvites(kv, this.#known);
    this.#reactions = new KvReactions(kv);
    this.#pins = new KvPins(kv);
    this.#emojis = new KvEmojis(kv);
    this.#attachments = new KvAttachments(kv);
    this.#dms = new KvDms(kv);
    this.#search = new KvSearchIndex(kv, {
      flush: () => this.searchWriter.flush(),
      pinsOf: (ids) => this.#pins.pinsOf(ids),
      listPins: (channelId) => this.#pins.listPins(channelId),
    });
    guardOutages(this, isKvOutage);
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
  /** The bus between instances runs on this same database. */
  get kvBusTransport(): KvBusTransport {
    return this.kv;
  }

  async createUser(user: UserRecord): Promise<void> {
    const result = await whenUnlocked(() =>
      this.kv.atomic()
        .check({ key: ["users_by_username", user.username], versionstamp: null })
        .check({ key: ["users", user.id], versionstamp: null })
        .set(["users", user.id], user)
        .set(["users_by_username", user.username], user.id)
        .commit()
    );
    if (!result.ok) throw new UsernameTakenError(user.username);
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    return (await this.kv.get<UserRecord>(["users", id])).value;
  }

  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const id = (await this.kv.get<string>(["users_by_username", username])).value;
    return id === null ? null : await this.findUserById(id);
  }

  async deleteUser(id: string): Promise<boolean> {
    const user = (await this.kv.get<UserRecord>(["users", id])).value;
    if (!user) return false;
    if ((await this.listServersOf(id)).some((server) => server.ownerId === id)) {
      throw new OwnsServersError(id);
    }
    const avatar = (await this.kv.get<ChunkedMeta>(["avatars", id])).value;
    // The account goes first, in one commit (nobody can log in or be resolved as an author any
    // more); what only it pointed to is cleaned up after.
    await whenUnlocked(() =>
      this.kv.atomic()
        .delete(["users", id])
        .delete(["users_by_username", user.username])
        .delete(["avatars", id])
        .delete(twoFactorKeyOf(id))
        .commit()
    );
    await this.deleteSessionsOf(id);
    await this.#notifications.deleteNotificationsOf(id);
    await this.#dms.forgetUser(id);
    for (const server of await this.listServersOf(id)) await this.removeMember(server.id, id);
    for await (const entry of this.kv.list({ prefix: ["read_markers", id] })) {
      await whenUnlocked(() => this.kv.delete(entry.key));
    }
    if (avatar) await this.#dropAvatarBytes(id, avatar);
    return true;
  }

  setPasswordHash(id: string, passwordHash: string): Promise<UserRecord | null> {
    return this.#updateUser(id, (user) => ({ ...user, passwordHash }));
  }

  updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord | null> {
    // A key present with the value undefined means "unchanged", not "erase".
    const changes = Object.fromEntries(
      Object.entries(patch).filter(([, value]) => value !== undefined),
    );
    return this.#updateUser(id, (user) => ({ ...user, ...changes }));
  }

  /** Set by `attachBlobStore`: avatars then go to the blob store (db/blob_moves.ts). */
  #blobs: BlobsOf | null = null;

  attachBlobStore(blobs: BlobsOf): Promise<void> {
    this.#blobs = blobs;
    // Server icons and custom emoji too (db/kv/server_admin.ts, emojis.ts, purge.ts).
    this.#serverAdmin.attachBlobs(blobs);
    this.#emojis.attachBlobs(blobs);
    this.#purger.attachBlobs(blobs);
    return Promise.resolve();
  }

  async putAvatar(userId: string, avatar: AvatarRecord): Promise<UserRecord | null> {
    if ((await this.findUserById(userId)) === null) return null;
    const previous = (await this.kv.get<ChunkedMeta>(["avatars", userId])).value;
    // The bytes go first (blob, or chunks under the new version); the meta key flips to them in
    // one commit with the user's version; what the old meta named goes after.
    const meta: ChunkedMeta = this.#blobs
      ? await this.#putAvatarBlob(userId, avatar)
      : await writeChunks(this.kv, avatarChunksOf(userId), avatar);
    const user = await this.#updateUser(
      userId,
      (user) => ({ ...user, avatarVersion: avatar.version }),
      // An old-format write (a store without the blob store) leaves work for the next move.
      (op) => (meta.inBlob ? op : op.delete(AVATARS_MOVED)).set(["avatars", userId], meta),
    );
    // The user went meanwhile: the new bytes are named by nothing.
    if (user === null) await this.#dropAvatarBytes(userId, meta);
    else if (previous) await this.#dropAvatarBytes(userId, previous);
    return user;
  }

  async #putAvatarBlob(userId: string, avatar: AvatarRecord): Promise<ChunkedMeta> {
    const blobs = await this.#blobs!();
    await putImageBlob(
      blobs,
      avatarBlobKey(userId, avatar.version),
      avatar.bytes,
      avatar.contentType,
    );
    return {
      contentType: avatar.contentType,
      version: avatar.version,
      chunks: 0,
      size: avatar.bytes.length,
      inBlob: true,
    };
  }

  /** Removes the bytes an avatar meta named (after the meta stopped naming them). */
  async #dropAvatarBytes(userId: string, meta: ChunkedMeta): Promise<void> {
    if (!meta.inBlob) return await deleteChunks(this.kv, avatarChunksOf(userId), meta.version);
    await (await this.#blobs!()).delete(avatarBlobKey(userId, meta.version));
  }

  async findAvatar(userId: string): Promise<AvatarRecord | null> {
    const meta = (await this.kv.get<ChunkedMeta>(["avatars", userId])).value;
    if (meta === null) return null;
    const bytes = meta.inBlob
      ? await readImageBlob(await this.#blobs!(), avatarBlobKey(userId, meta.version))
      : await readChunks(this.kv, avatarChunksOf(userId), meta);
    return bytes && { contentType: meta.contentType, version: meta.version, bytes };
  }

  async openAvatar(userId: string): Promise<StoredImage | null> {
    const meta = (await this.kv.get<ChunkedMeta>(["avatars", userId])).value;
    if (meta === null) return null;
    if (meta.inBlob) {
      return await openImageBlob(await this.#blobs!(), avatarBlobKey(userId, meta.version), meta);
    }
    const bytes = await readChunks(this.kv, avatarChunksOf(userId), meta);
    return bytes && imageOfBytes(meta, bytes);
  }

  async moveServerImagesToBlobs(): Promise<{ icons: number; emojis: number }> {
    return {
      icons: await this.#serverAdmin.moveIconsToBlobs(),
      emojis: await this.#emojis.moveEmojisToBlobs(),
    };
  }

  async moveAvatarsToBlobs(): Promise<number> {
    if ((await this.kv.get(AVATARS_MOVED)).value !== null) return 0;
    let moved = 0;
    for await (const entry of this.kv.list<ChunkedMeta>({ prefix: ["avatars"] })) {
      const userId = entry.key[1] as string;
      const meta = entry.value;
      if (meta.inBlob) continue;
      const bytes = await readChunks(this.kv, avatarChunksOf(userId), meta);
      // Replaced since it was listed: the new version is in the blob store already.
      if (bytes === null) continue;
      const ok = await moveOneAvatar(
        await this.#blobs!(),
        { userId, version: meta.version, contentType: meta.contentType, bytes },
        async () =>
          (await this.kv.atomic().check(entry)
            .set(entry.key, { ...meta, chunks: 0, inBlob: true }).commit()).ok,
        async () => {
          const now = (await this.kv.get<ChunkedMeta>(["avatars", userId])).value;
          return now?.inBlob === true && now.version === meta.version;
        },
      );
      // The chunks go once no meta names them (moved, or replaced by a new upload).
      await deleteChunks(this.kv, avatarChunksOf(userId), meta.version);
      if (ok) moved++;
    }
    await whenUnlocked(() => this.kv.set(AVATARS_MOVED, true));
    return moved;
  }

  async listUsers(after: string | undefined, limit: number): Promise<UserRecord[]> {
    const ids: string[] = [];
    const selector = after === undefined
      ? { prefix: ["users_by_username"] }
      : { prefix: ["users_by_username"], start: ["users_by_username", after] };
    // The start key is inclusive: ask for one more and drop `after` itself.
    for await (const entry of this.kv.list<string>(selector, { limit: limit + 1 })) {
      if (entry.key[1] !== after) ids.push(entry.value);
    }
    const users = await getAll<UserRecord>(this.kv, ids.slice(0, limit).map((id) => ["users", id]));
    return users.filter((user): user is UserRecord => user !== null);
  }

  setSuspended(id: string, suspended: boolean): Promise<UserRecord | null> {
    return this.#updateUser(
      id,
      ({ suspended: _, ...user }) => suspended ? { ...user, suspended } : user,
    );
  }

  setEmail(id: string, email: string | null): Promise<UserRecord | null> {
    return this.#updateUser(
      id,
      ({ email: _, ...user }) => email === null ? user : { ...user, email },
    );
  }

  async createPasswordReset(reset: PasswordResetRecord): Promise<void> {
    // KV drops it by itself once expired (lazily: the service checks the expiry too).
    const expireIn = Math.max(reset.expiresAt.getTime() - Date.now(), 1);
    await whenUnlocked(() =>
      this.kv.set(["password_resets", reset.tokenHash], reset, { expireIn })
    );
  }

  async findPasswordReset(tokenHash: string): Promise<PasswordResetRecord | null> {
    return (await this.kv.get<PasswordResetRecord>(["password_resets", tokenHash])).value;
  }

  async takePasswordReset(tokenHash: string): Promise<PasswordResetRecord | null> {
    const entry = await this.kv.get<PasswordResetRecord>(["password_resets", tokenHash]);
    if (entry.value === null) return null;
    // The versionstamp check: of two racing takers, the second one's commit fails.
    const result = await whenUnlocked(() =>
      this.kv.atomic().check(entry).delete(entry.key).commit()
    );
    return result.ok ? entry.value : null;
  }

  async createSession(session: SessionRecord): Promise<void> {
    const expireIn = expiryOf(session);
    await whenUnlocked(() =>
      this.kv.atomic()
        .set(["sessions", session.id], session, { expireIn })
        .set(userSessionKeyOf(session), true, { expireIn })
        .commit()
    );
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const session = (await this.kv.get<SessionRecord>(["sessions", id])).value;
    // expireIn deletes lazily; the expiry time is the truth.
    if (session === null || session.expiresAt.getTime() <= Date.now()) return null;
    return withSessionDefaults(session);
  }

  async deleteSession(id: string): Promise<void> {
    const session = (await this.kv.get<SessionRecord>(["sessions", id])).value;
    const op = this.kv.atomic().delete(["sessions", id]);
    if (session) op.delete(userSessionKeyOf(session));
    await whenUnlocked(() => op.commit());
  }

  async listSessionsOf(userId: string): Promise<SessionRecord[]> {
    const ids = [];
    for await (const entry of this.kv.list({ prefix: ["user_sessions", userId] })) {
      ids.push(entry.key[2] as string);
    }
    const sessions = await getAll<SessionRecord>(this.kv, ids.map((id) => ["sessions", id]));
    const now = Date.now();
    return sessions
      .filter((session): session is SessionRecord =>
        session !== null && session.expiresAt.getTime() > now
      )
      .map(withSessionDefaults)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async touchSession(id: string, lastSeenAt: Date): Promise<void> {
    const entry = await this.kv.get<SessionRecord>(["sessions", id]);
    if (entry.value === null) return;
    const session = { ...withSessionDefaults(entry.value), lastSeenAt };
    const expireIn = expiryOf(session);
    // The check makes a touch racing a logout lose (a deleted session stays deleted); losing to
    // another touch is as good as winning, so there is no retry.
    await whenUnlocked(() =>
      this.kv.atomic()
        .check(entry)
        .set(["sessions", id], session, { expireIn })
        .set(userSessionKeyOf(session), true, { expireIn })
        .commit()
    );
  }

  async deleteSessionsOf(userId: string, exceptId?: string): Promise<string[]> {
    const deleted = [];
    for await (const entry of this.kv.list({ prefix: ["user_sessions", userId] })) {
      const id = entry.key[2] as string;
      if (id === exceptId) continue;
      // expireIn deletes lazily: an expired session is removed but not reported as revoked.
      const live = (await this.findSession(id)) !== null;
      await whenUnlocked(() =>
        this.kv.atomic().delete(["sessions", id]).delete(entry.key).commit()
      );
      if (live) deleted.push(id);
    }
    return deleted;
  }

  /**
   * Sessions stored before `["user_sessions", …]` existed get their index key, once per
   * database, so that "log out my other sessions" reaches them too.
   */
  async indexLegacySessions(): Promise<void> {
    const marker = ["migrations", "user_sessions"];
    if ((await this.kv.get(marker)).value !== null) return;
    for await (const entry of this.kv.list<SessionRecord>({ prefix: ["sessions"] })) {
      const session = entry.value;
      if (session.expiresAt.getTime() <= Date.now()) continue;
      await whenUnlocked(() =>
        this.kv.set(userSessionKeyOf(session), true, { expireIn: expiryOf(session) })
      );
    }
    await whenUnlocked(() => this.kv.set(marker, true));
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
    const stored = await whenUnlocked(() =>
      this.kv.atomic()
        .check({ key: ["settings", key], versionstamp: null })
        .set(["settings", key], value)
        .commit()
    );
    if (stored.ok) return value;
    const existing = await this.kv.get<string>(["settings", key]);
    return existing.value!;
  }

  async findUsersByIds(ids: string[]): Promise<UserRecord[]> {
    const users = await getAll<UserRecord>(this.kv, ids.map((id) => ["users", id]));
    return users.filter((user): user is UserRecord => user !== null);
  }

  async createServer(server: ServerRecord, firstChannel: ChannelRecord): Promise<void> {
    const result = await whenUnlocked(() =>
      this.kv.atomic()
        .check({ key: ["servers", server.id], versionstamp: null })
        .set(["servers", server.id], server)
        .set(roleKeyOf(server.id, server.id), everyoneRole(server.id))
        .set(["server_members", server.id, server.ownerId], server.createdAt)
        .set(["user_servers", server.ownerId, server.id], server.createdAt)
        .set(["channels", firstChannel.id], firstChannel)
        .set(["server_channels", server.id, firstChannel.id], firstChannel)
        .set(["channel_names", server.id, firstChannel.name], firstChannel.id)
        .commit()
    );
    if (!result.ok) throw new Error(`Server ${server.id} already exists`);
  }

  async findServer(id: string): Promise<ServerRecord | null> {
    const server = (await this.kv.get<ServerRecord>(["servers", id])).value;
    return server && serverWithDefaults(server);
  }

  async listServersOf(userId: string): Promise<ServerRecord[]> {
    return (await this.listMembershipsOf(userId)).map(({ server }) => server);
  }

  async listMembershipsOf(userId: string): Promise<MembershipRecord[]> {
    const joined: [string, Date][] = [];
    for await (const entry of this.kv.list<Date>({ prefix: ["user_servers", userId] })) {
      joined.push([entry.key[2] as string, entry.value]);
    }
    joined.sort(([a, at], [b, bt]) => at.getTime() - bt.getTime() || a.localeCompare(b));
    const servers = await getAll<ServerRecord>(this.kv, joined.map(([id]) => ["servers", id]));
    return joined.flatMap(([, joinedAt], i) => {
      const server = servers[i];
      return server ? [{ server: serverWithDefaults(server), joinedAt }] : [];
    });
  }

  async addMember(serverId: string, userId: string, joinedAt: Date): Promise<boolean> {
    const memberKey = memberKeyOf(serverId, userId);
    const result = await whenUnlocked(() =>
      addMembership(
        this.kv.atomic().check({ key: memberKey, versionstamp: null }),
        serverId,
        userId,
        joinedAt,
      )
        .commit()
    );
    // What appends knew of it is out of date (their commit's check would fail).
    this.#known.forget(memberKey);
    return result.ok;
  }

  /** Removes a member (both keys and their state, as a kick does, without an audit entry). */
  removeMember(serverId: string, userId: string): Promise<boolean> {
    return this.#members.kickMember(serverId, userId, null);
  }

  async isMember(serverId: string, userId: string): Promise<boolean> {
    const [server, member] = await this.kv.getMany([
      serverKeyOf(serverId),
      memberKeyOf(serverId, userId),
    ]);
    return server.versionstamp !== null && member.versionstamp !== null;
  }

  async listMemberIds(serverId: string): Promise<string[]> {
    const [server, entries] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll<Date>(this.kv, ["server_members", serverId]),
    ]);
    if (server.versionstamp === null) return [];
    const members = entries.map((entry): [string, Date] => [entry.key[2] as string, entry.value]);
    members.sort(([a, at], [b, bt]) => at.getTime() - bt.getTime() || a.localeCompare(b));
    return members.map(([id]) => id);
  }

  createChannel(channel: ChannelRecord, audit?: AuditEntryRecord | null): Promise<void> {
    return this.#channelAdmin.createChannel(channel, audit ?? null);
  }

  async findChannel(id: string): Promise<ChannelRecord | null> {
    const channel = (await this.kv.get<ChannelRecord>(["channels", id])).value;
    return channel && channelWithDefaults(channel);
  }

  async listChannels(serverId: string): Promise<ChannelRecord[]> {
    const [server, channels] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      this.#channelsOf(serverId),
    ]);
    return server.versionstamp === null ? [] : channels;
  }

  /** The server's channels, oldest first, whether or not the server is still there. */
  async #channelsOf(serverId: string): Promise<ChannelRecord[]> {
    const entries = await listAll<ChannelRecord>(this.kv, ["server_channels", serverId]);
    const channels = entries.map((entry) => channelWithDefaults(entry.value));
    // A channel created into a category while it was being deleted is in none.
    const ids = new Set(channels.map((channel) => channel.id));
    for (const channel of channels) {
      if (channel.parentId !== null && !ids.has(channel.parentId)) channel.parentId = null;
    }
    return channels.sort((a, b) =>
      a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)
    );
  }

  async lastSeq(channelId: string): Promise<number> {
    const [counter, channel] = await this.kv.getMany<[number, unknown]>([
      counterKeyOf(channelId),
      channelKeyOf(channelId),
    ]);
    return channel.versionstamp === null ? 0 : counter.value ?? 0;
  }

  /**
   * Two waves of reads, each made of calls sent together (S servers asked for, C channels in
   * those the user is a member of; `getMany` takes GET_MANY_LIMIT keys):
   * 1. `getMany` of each server's record and the user's membership (⌈2S/10⌉ calls), a `list`
   *    of the user's read markers (1), and a `list` of each server's channels (S);
   * 2. `getMany` of the channels' seq counters (⌈C/10⌉ calls).
   * KV has no join, so the calls grow with S and C/10, but the waves (the latency) are two.
   */
  async channelStates(userId: string, serverIds: string[]): Promise<ServerState[]> {
    const ids = [...new Set(serverIds)];
    const [records, markers, channelsOf] = await Promise.all([
      getEntries(this.kv, ids.flatMap((id) => [["servers", id], memberKeyOf(id, userId)])),
      this.#allReadMarkers(userId),
      Promise.all(ids.map((id) => this.#channelsOf(id))),
    ]);
    const states = ids.flatMap((_, i): ServerState[] => {
      const [server, member] = [records[2 * i], records[2 * i + 1]];
      if (server.value === null || member.versionstamp === null) return [];
      const channels = channelsOf[i].map((channel) => ({ channel, lastSeq: 0, readSeq: 0 }));
      return [{ server: serverWithDefaults(server.value as ServerRecord), channels }];
    });
    const channels = states.flatMap((state) => state.channels);
    const counters = await getAll<number>(
      this.kv,
      channels.map(({ channel }) => counterKeyOf(channel.id)),
    );
    channels.forEach((state, i) => {
      state.lastSeq = counters[i] ?? 0;
      state.readSeq = markers.get(state.channel.id) ?? 0;
    });
    return states;
  }

  createInvite(invite: InviteRecord, audit?: AuditEntryRecord | null): Promise<void> {
    return this.#invites.createInvite(invite, audit);
  }

  /** The invite, or null if there is none or its server is gone. */
  findInvite(code: string): Promise<InviteRecord | null> {
    return this.#invites.findInvite(code);
  }

  /** Sends that arrive together share one atomic commit (see GroupCommit). */
  #appends = appendQueue((batch) => this.#appendBatch(batch), {
    maxBatch: APPEND_BATCH_MAX,
    maxInFlight: APPEND_BATCHES_IN_FLIGHT,
    minBatchWhileBusy: APPEND_MIN_BATCH_WHILE_BUSY,
  });

  appendMessage(message: NewMessage, memberOf?: string): Promise<AppendResult> {
    return this.#appends.submit({ message, memberOf });
  }

  /**
   * One atomic commit for the batch, and usually no read: each channel's counter and record
   * (a deleted channel takes no message) and each sender's membership are checked at the
   * versionstamp this instance last saw (read only when not known); the counter moves by the
   * number of the channel's messages, which take consecutive seqs in arrival order, and each
   * nonce is checked unused. What the batch cannot settle (not a member, no channel) and a batch
   * whose checks fail (another writer moved a counter, a channel or a membership, or a nonce
   * was sent before) go through the one-at-a-time path, which says exactly what happened.
   */
  async #appendBatch(batch: AppendInput[]): Promise<Settled<AppendResult>[]> {
    const appendOne = ({ message, memberOf }: AppendInput) => this.#appendOne(message, memberOf);
    const nonces = batch.map(({ message }) => nonceKeyOf(message));
    // A claim of attachments reads their records: such a batch goes one at a time, in order.
    // Only sends with a nonce can repeat one (without, the key is the author's "": no repeat).
    const nonced = batch.flatMap(({ message }, i) => message.nonce !== null ? [i] : []);
    if (
      new Set(nonced.map((i) => idOf(nonces[i]))).size < nonced.length ||
      batch.some(({ message }) => (message.attachments?.length ?? 0) > 0)
    ) {
      return await settleRest(batch, [], appendOne);
    }
    const counterKeys = unique(batch.map(({ message }) => counterKeyOf(message.channelId)));
    const memberKeys = unique(
      batch.flatMap(({ message, memberOf }) =>
        memberOf === undefined ? [] : [memberKeyOf(memberOf, message.authorId)]
      ),
    );
    const channelKeys = counterKeys.map((key) => channelKeyOf(key[1] as string));
    const checked = [...counterKeys, ...memberKeys, ...channelKeys];
    const entries = await this.#knownOrRead(checked);
    const entry = (key: Deno.KvKey) => entries.get(idOf(key))!;
    let op = this.kv.atomic();
    for (const key of checked) op = op.check(entry(key));
    const counters = new Map(counterKeys.map((key) => [key[1], entry(key).value as number ?? 0]));
    const moved = new Set<string>();
    // What does not fit goes the one-at-a-time way; the search index is written after the
    // commit (search_writer.ts: one pending key for the batch here).
    let mutations = checked.length + 1;
    const indexed: Indexable[] = [];
    const written: (AppendResult | undefined)[] = batch.map(({ message, memberOf }, i) => {
      const member = memberOf && entry(memberKeyOf(memberOf, message.authorId));
      if (member && member.versionstamp === null) return undefined;
      const channel = entry(channelKeyOf(message.channelId));
      if (channel.versionstamp === null) return undefined;
      const serverId = (channel.value as ChannelRecord).serverId;
      if (mutations + 6 > APPEND_BATCH_MUTATIONS_MAX) return undefined;
      mutations += 6;
      moved.add(message.channelId);
      const seq = counters.get(message.channelId)! + 1;
      counters.set(message.channelId, seq);
      const stored: MessageRecord = { ...message, seq, editedAt: null };
      const address: MessageAddress = [message.channelId, seq];
      op = op.set(["messages", message.channelId, seq], stored)
        .set(["message_ids", message.id], address)
        .set(authorMessageKey(message.authorId, message.id), address);
      if (this.#indexing) indexed.push({ serverId, message: stored });
      if (message.nonce !== null) {
        op = op.check({ key: nonces[i], versionstamp: null }).set(nonces[i], address);
      }
      return { message: stored, created: true };
    });
    // Only counters that moved: a deleted channel must not get one back.
    const movedCounters = counterKeys.filter((key) => moved.has(key[1] as string));
    for (const key of movedCounters) op = op.set(key, counters.get(key[1])!);
    const pending = indexed.length > 0 ? pendingWrite(indexed) : null;
    if (pending) op = op.set(pending.key, pending.value);
    const result = await commitOrBusy(op);
    if (!result.ok) {
      for (const key of checked) this.#known.forget(key);
      return await settleRest(batch, [], appendOne);
    }
    for (const key of movedCounters) {
      this.#known.remember({
        key,
        value: counters.get(key[1])!,
        versionstamp: result.versionstamp,
      });
    }
    if (pending) await this.searchWriter.add(pending);
    return await settleRest(batch, written, appendOne);
  }

  /** The entries of `keys`: as this instance last saw them, or read (and then remembered). */
  async #knownOrRead(keys: Deno.KvKey[]): Promise<Map<string, Deno.KvEntryMaybe<unknown>>> {
    const entries = new Map<string, Deno.KvEntryMaybe<unknown>>();
    const unknown: Deno.KvKey[] = [];
    for (const key of keys) {
      const known = this.#known.get(key);
      if (known) entries.set(idOf(key), known);
      else unknown.push(key);
    }
    for (const read of await getEntries(this.kv, unknown)) {
      this.#known.remember(read);
      entries.set(idOf(read.key), read);
    }
    return entries;
  }

  async #appendOne(message: NewMessage, memberOf?: string): Promise<AppendResult> {
    const nonceKey = nonceKeyOf(message);
    const counterKey = counterKeyOf(message.channelId);
    const memberKey = memberKeyOf(memberOf ?? "", message.authorId);
    return await retry(async () => {
      const [counter, sent, member, channel] = await this.kv.getMany<
        [number, MessageAddress, Date, unknown]
      >([counterKey, nonceKey, memberKey, channelKeyOf(message.channelId)]);
      // What it read is newer than what batches knew (say, "not a member" before a join).
      if (memberOf !== undefined) this.#known.remember(member);
      this.#known.remember(channel);
      // Membership before the nonce: a nonce used elsewhere must not hand a non-member their old
      // message (201) where PostgreSQL, checking membership in the statement, answers 404. No
      // channel (deleted meanwhile) answers the same as there (no member of it).
      if (
        memberOf !== undefined && (member.versionstamp === null || channel.versionstamp === null)
      ) {
        throw new NotAMemberError(message.authorId, memberOf);
      }
      if (channel.versionstamp === null) throw new Error(`No channel ${message.channelId}`);
      if (message.nonce !== null && sent.value !== null) {
        const first = await this.#messageAt(sent.value);
        if (first) return { message: first, created: false };
      }
      const seq = (counter.value ?? 0) + 1;
      const stored: MessageRecord = { ...message, seq, editedAt: null };
      const address: MessageAddress = [message.channelId, seq];
      let op = this.kv.atomic()
        .check(counter)
        .set(counterKey, seq)
        .set(["messages", message.channelId, seq], stored)
        .set(["message_ids", message.id], address)
        .set(authorMessageKey(message.authorId, message.id), address);
      const serverId = (channel.value as ChannelRecord).serverId;
      const pending = this.#indexing ? pendingWrite([{ serverId, message: stored }]) : null;
      if (pending) op = op.set(pending.key, pending.value);
      if (message.nonce !== null) op = op.check(sent).set(nonceKey, address);
      // Still a member (and the channel still there) at the commit, not only when we looked.
      if (memberOf !== undefined) op = op.check(member);
      op = op.check(channel);
      // The message's files become its own in this same commit (or nothing is stored).
      await claimAttachments(this.kv, op, message);
      const result = await op.commit();
      if (!result.ok) return TRY_AGAIN;
      this.#known.remember({ key: counterKey, value: seq, versionstamp: result.versionstamp });
      if (pending) await this.searchWriter.add(pending);
      return { message: stored, created: true };
    }, {
      // Another sender took this seq (or the file was locked): back off a little, jittered, and
      // read the counter again.
      attempts: MAX_APPEND_ATTEMPTS,
      isRetryable: isLocked,
      maxBackOffMs: 50,
      exhausted: () =>
        new Error(`Could not append to channel ${message.channelId}: too much contention`),
    });
  }

  async listMessages(channelId: string, query: MessageQuery): Promise<MessageRecord[]> {
    const first = (query.after ?? 0) + 1;
    const last = query.before ?? Number.MAX_SAFE_INTEGER;
    // An empty range (`after` ≥ `before`, or past every seq) is no page, not KV's "start key is
    // greater than end key" TypeError.
    if (first >= last) return [];
    const start = ["messages", channelId, first];
    const end = ["messages", channelId, last];
    // With only `before`, the page is the latest messages below it; shown ascending.
    const reverse = query.after === undefined;
    const page = async () => {
      const messages: MessageRecord[] = [];
      const listed = this.kv.list<MessageRecord>({ start, end }, { limit: query.limit, reverse });
      for await (const entry of listed) messages.push(messageWithDefaults(entry.value));
      return reverse ? messages.reverse() : messages;
    };
    // A deleted channel's messages are purged after it: its record says whether they count.
    const [channel, messages] = await Promise.all([this.kv.get(channelKeyOf(channelId)), page()]);
    return channel.versionstamp === null ? [] : messages;
  }

  async findMessage(id: string): Promise<MessageRecord | null> {
    const address = (await this.kv.get<MessageAddress>(["message_ids", id])).value;
    const message = address && (await this.#messageEntry(address)).value;
    return message && messageWithDefaults(message);
  }

  /** Two waves: the ids' addresses, then the messages with their channels (gone: skipped). */
  async findMessages(ids: string[]): Promise<MessageRecord[]> {
    const addresses = (await getAll<MessageAddress>(
      this.kv,
      [...new Set(ids)].map((id) => ["message_ids", id]),
    )).filter((address): address is MessageAddress => address !== null);
    return await this.#liveMessagesAt(addresses);
  }

  async listMessagesByAuthor(
    authorId: string,
    query: AuthorMessageQuery,
  ): Promise<MessageRecord[]> {
    const addresses = await authorMessageAddresses(this.kv, authorId, query);
    return await this.#liveMessagesAt(addresses);
  }

  /** The messages at these addresses, in order, but those gone or in a deleted channel. */
  async #liveMessagesAt(addresses: MessageAddress[]): Promise<MessageRecord[]> {
    const channelIds = [...new Set(addresses.map(([channelId]) => channelId))];
    const [messages, channels] = await Promise.all([
      getAll<MessageRecord>(this.kv, addresses.map((address) => ["messages", ...address])),
      getEntries(this.kv, channelIds.map(channelKeyOf)),
    ]);
    const live = new Set(channelIds.filter((_, i) => channels[i].versionstamp !== null));
    return messages.filter((message): message is MessageRecord =>
      message !== null && live.has(message.channelId)
    ).map(messageWithDefaults);
  }

  async editMessage(id: string, content: string, editedAt: Date): Promise<MessageRecord | null> {
    const address = (await this.kv.get<MessageAddress>(["message_ids", id])).value;
    if (!address) return null;
    return await optimistically(`edit message ${id}`, async () => {
      const [entry, changeAt, channel] = await Promise.all([
        this.#messageEntry(address),
        this.kv.get<number>(changeAtKeyOf(id)),
        this.kv.get<ChannelRecord>(channelKeyOf(address[0])),
      ]);
      if (entry.value === null || channel.value === null) return null;
      const previous = messageWithDefaults(entry.value);
      const edited = { ...previous, content, editedAt };
      let op = this.kv.atomic().check(entry).set(entry.key, edited);
      if (this.#indexing) op = reindexMessage(op, channel.value.serverId, previous, edited);
      const result = await withChange(op, changeAt, address[0], id, editedAt).commit();
      if (!result.ok) return TRY_AGAIN;
      if (this.#indexing) {
        // Out of the packs of the terms it lost (their singles went in the commit).
        const now = new Set(termsOf(edited));
        const lost = termsOf(previous).filter((term) => !now.has(term));
        await this.searchWriter.unpack(channel.value.serverId, [{ id, terms: lost }]);
      }
      return edited;
    });
  }

  /**
   * One commit deletes the message, its indexes, summary of reactions and pin, and records the
   * deletion (with the audit entry); its reactor keys, however many, are purged after.
   */
  async deleteMessage(id: string, audit?: AuditEntryRecord | null): Promise<boolean> {
    const address = (await this.kv.get<MessageAddress>(["message_ids", id])).value;
    if (!address) return false;
    const [channelId] = address;
    const purge: Purge = { kind: "reactions", id };
    const deleted = await optimistically(`delete message ${id}`, async () => {
      const [entry, [summary, changeAt, channel]] = await Promise.all([
        this.#messageEntry(address),
        this.kv.getMany<[unknown, number, ChannelRecord]>([
          summaryKeyOf(id),
          changeAtKeyOf(id),
          channelKeyOf(channelId),
        ]),
      ]);
      if (entry.value === null || channel.value === null) return null;
      let op = withAudit(this.kv.atomic(), audit).check(entry).check(summary).delete(entry.key)
        .delete(["message_ids", id])
        .delete(authorMessageKey(entry.value.authorId, id))
        .delete(pinKeyOf(channelId, id))
        .delete(messagePinKeyOf(id));
      if (entry.value.nonce !== null) {
        op = op.delete(["message_nonces", entry.value.authorId, entry.value.nonce]);
      }
      if (this.#indexing) {
        op = unindexMessage(op, channel.value.serverId, messageWithDefaults(entry.value));
      }
      const reacted = summary.versionstamp !== null;
      if (reacted) {
        op = op.delete(summary.key).delete(channelReactionsKeyOf(channelId, id))
          .set(purgeKeyOf(purge), purge);
      }
      const at = audit?.createdAt ?? new Date();
      const result = await withChange(op, changeAt, channelId, id, at, true).commit();
      if (!result.ok) return TRY_AGAIN;
      return { reacted, serverId: channel.value.serverId, message: entry.value };
    });
    if (deleted?.reacted) this.#purger.start(purge);
    if (deleted && this.#indexing) {
      // Out of its packs too (its singles went in the commit).
      const terms = termsOf(messageWithDefaults(deleted.message));
      await this.searchWriter.unpack(deleted.serverId, [{ id, terms }]);
    }
    return deleted !== null;
  }

  async setReadMarker(userId: string, channelId: string, seq: number): Promise<number> {
    const key = ["read_markers", userId, channelId];
    return await optimistically(`move read marker of ${userId}`, async () => {
      const entry = await this.kv.get<number>(key);
      if (entry.value !== null && entry.value >= seq) return entry.value;
      return (await this.kv.atomic().check(entry).set(key, seq).commit()).ok ? seq : TRY_AGAIN;
    });
  }

  /** The user's markers of channels that exist (a deleted channel's go after it). */
  async readMarkers(userId: string): Promise<Map<string, number>> {
    const markers = await this.#allReadMarkers(userId);
    const ids = [...markers.keys()];
    const channels = await getEntries(this.kv, ids.map(channelKeyOf));
    ids.forEach((id, i) => {
      if (channels[i].versionstamp === null) markers.delete(id);
    });
    return markers;
  }

  async #allReadMarkers(userId: string): Promise<Map<string, number>> {
    const markers = new Map<string, number>();
    for await (const entry of this.kv.list<number>({ prefix: ["read_markers", userId] })) {
      markers.set(entry.key[2] as string, entry.value);
    }
    return markers;
  }

  /** Search over the term index (db/kv/search_index.ts). */
  searchMessages(criteria: SearchCriteria): Promise<MessageRecord[]> {
    return this.#search.search(criteria);
  }

  // Governance: one module per concept (db/kv/governance_keys.ts lists their keys).

  updateServer(id: string, patch: ServerPatch, audit: AuditEntryRecord | null) {
    return this.#serverAdmin.updateServer(id, patch, audit);
  }

  putServerIcon(id: string, icon: IconRecord, audit: AuditEntryRecord | null) {
    return this.#serverAdmin.putServerIcon(id, icon, audit);
  }

  findServerIcon(id: string): Promise<IconRecord | null> {
    return this.#serverAdmin.findServerIcon(id);
  }

  openServerIcon(id: string): Promise<StoredImage | null> {
    return this.#serverAdmin.openServerIcon(id);
  }

  deleteServer(id: string): Promise<boolean> {
    return this.#serverAdmin.deleteServer(id);
  }

  updateChannel(id: string, patch: ChannelPatch, audit: AuditEntryRecord | null) {
    return this.#channelAdmin.updateChannel(id, patch, audit);
  }

  deleteChannel(id: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#channelAdmin.deleteChannel(id, audit);
  }

  listRoles(serverId: string): Promise<RoleRecord[]> {
    return this.#roles.listRoles(serverId);
  }

  createRole(role: RoleRecord, audit: AuditEntryRecord | null): Promise<void> {
    return this.#roles.createRole(role, audit);
  }

  updateRole(serverId: string, roleId: string, patch: RolePatch, audit: AuditEntryRecord | null) {
    return this.#roles.updateRole(serverId, roleId, patch, audit);
  }

  deleteRole(serverId: string, roleId: string, audit: AuditEntryRecord | null) {
    return this.#roles.deleteRole(serverId, roleId, audit);
  }

  findMember(serverId: string, userId: string): Promise<MemberRecord | null> {
    return this.#members.findMember(serverId, userId);
  }

  listMembers(serverId: string): Promise<MemberRecord[]> {
    return this.#members.listMembers(serverId);
  }

  setMemberRole(
    serverId: string,
    userId: string,
    roleId: string,
    add: boolean,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#members.setMemberRole(serverId, userId, roleId, add, audit);
  }

  setMemberTimeout(
    serverId: string,
    userId: string,
    until: Date | null,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#members.setMemberTimeout(serverId, userId, until, audit);
  }

  kickMember(serverId: string, userId: string, audit: AuditEntryRecord | null) {
    return this.#members.kickMember(serverId, userId, audit);
  }

  banMember(ban: BanRecord, audit: AuditEntryRecord | null): Promise<{ wasMember: boolean }> {
    return this.#members.banMember(ban, audit);
  }

  unbanMember(serverId: string, userId: string, audit: AuditEntryRecord | null) {
    return this.#members.unbanMember(serverId, userId, audit);
  }

  findBan(serverId: string, userId: string): Promise<BanRecord | null> {
    return this.#members.findBan(serverId, userId);
  }

  listBans(serverId: string): Promise<BanRecord[]> {
    return this.#members.listBans(serverId);
  }

  putOverwrite(overwrite: OverwriteRecord, audit: AuditEntryRecord | null): Promise<void> {
    return this.#overwrites.putOverwrite(overwrite, audit);
  }

  deleteOverwrite(channelId: string, targetId: string, audit: AuditEntryRecord | null) {
    return this.#overwrites.deleteOverwrite(channelId, targetId, audit);
  }

  listOverwrites(serverId: string): Promise<OverwriteRecord[]> {
    return this.#overwrites.listOverwrites(serverId);
  }

  listInvites(serverId: string): Promise<InviteRecord[]> {
    return this.#invites.listInvites(serverId);
  }

  deleteInvite(code: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#invites.deleteInvite(code, audit);
  }

  joinByInvite(code: string, userId: string, now: Date): Promise<InviteJoin> {
    return this.#invites.joinByInvite(code, userId, now);
  }

  listAuditLog(serverId: string, query: AuditQuery): Promise<AuditEntryRecord[]> {
    return listAuditLog(this.kv, serverId, query);
  }

  // Conversations: one module per concept (db/kv/conversation_keys.ts lists their keys).

  addReaction(messageId: string, emoji: string, userId: string, at: Date, maxDistinct: number) {
    return this.#reactions.addReaction(messageId, emoji, userId, at, maxDistinct);
  }

  removeReaction(messageId: string, emoji: string, userId: string, at: Date): Promise<boolean> {
    return this.#reactions.removeReaction(messageId, emoji, userId, at);
  }

  reactionsOf(messageIds: string[], readerId: string): Promise<Map<string, ReactionCount[]>> {
    return this.#reactions.reactionsOf(messageIds, readerId);
  }

  listReactionUsers(messageId: string, emoji: string, after: string | undefined, limit: number) {
    return this.#reactions.listReactionUsers(messageId, emoji, after, limit);
  }

  pinMessage(pin: PinRecord, audit: AuditEntryRecord | null): Promise<boolean> {
    return this.#pins.pinMessage(pin, audit);
  }

  unpinMessage(channelId: string, messageId: string, at: Date, audit: AuditEntryRecord | null) {
    return this.#pins.unpinMessage(channelId, messageId, at, audit);
  }

  listPins(channelId: string): Promise<PinRecord[]> {
    return this.#pins.listPins(channelId);
  }

  pinsOf(messageIds: string[]): Promise<Set<string>> {
    return this.#pins.pinsOf(messageIds);
  }

  changedSince(channelId: string, since: Date, limit: number): Promise<MessageChange[]> {
    return changedSince(this.kv, channelId, since, limit);
  }

  createEmoji(emoji: EmojiRecord, bytes: Uint8Array, audit: AuditEntryRecord | null) {
    return this.#emojis.createEmoji(emoji, bytes, audit);
  }

  listEmojis(serverId: string): Promise<EmojiRecord[]> {
    return this.#emojis.listEmojis(serverId);
  }

  findEmojiImage(emojiId: string) {
    return this.#emojis.findEmojiImage(emojiId);
  }

  openEmojiImage(emojiId: string) {
    return this.#emojis.openEmojiImage(emojiId);
  }

  deleteEmoji(serverId: string, emojiId: string, audit: AuditEntryRecord | null) {
    return this.#emojis.deleteEmoji(serverId, emojiId, audit);
  }

  /** Starts the purges that a close or a crash cut short (db/kv/purge.ts). */
  resumePurges(): Promise<void> {
    return this.#purger.resume();
  }

  /** Resolves once no purge of a deleted channel or server runs here (for tests). */
  purgesDone(): Promise<void> {
    return this.#purger.idle();
  }

  /**
   * Closes the database; closing again is harmless (a restart and a dispose may both). Purges
   * stop at their next batch first (the next open resumes them).
   */
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#purger.stop();
    await this.searchBackfill.stop();
    await this.searchWriter.close();
    this.kv.close();
  }

  async #messageAt([channelId, seq]: MessageAddress): Promise<MessageRecord | null> {
    const message = (await this.kv.get<MessageRecord>(["messages", channelId, seq])).value;
    return message && messageWithDefaults(message);
  }

  /** A message's entry: none if its channel is gone (its messages are being purged). */
  async #messageEntry([channelId, seq]: MessageAddress): Promise<Deno.KvEntryMaybe<MessageRecord>> {
    const [message, channel] = await this.kv.getMany<[MessageRecord, unknown]>([
      ["messages", channelId, seq],
      channelKeyOf(channelId),
    ]);
    return channel.versionstamp === null
      ? { ...message, value: null, versionstamp: null }
      : message;
  }

  /** Read-modify-write of one user with a versionstamp check, retried on contention. */
  async #updateUser(
    id: string,
    change: (user: UserRecord) => UserRecord,
    alsoInCommit: (op: Deno.AtomicOperation) => Deno.AtomicOperation = (op) => op,
  ): Promise<UserRecord | null> {
    return await optimistically(`update user ${id}`, async () => {
      const entry = await this.kv.get<UserRecord>(["users", id]);
      if (entry.value === null) return null;
      const updated = change(entry.value);
      const op = this.kv.atomic().check(entry).set(["users", id], updated);
      return (await alsoInCommit(op).commit()).ok ? updated : TRY_AGAIN;
    });
  }
}
