/**
 * The storage interface every backend implements (Deno KV in db/kv, PostgreSQL in db/postgres).
 *
 * Services in lib/ only ever talk to a `Store`; the contract suite in tests/store_contract.ts
 * runs the same cases against each implementation so both behave identically.
 */
import type { StoredImage } from "./blob_moves.ts";
import type { BlobStore } from "./blob_store.ts";
import type { KvBusTransport } from "./kv/kv_bus_transport.ts";
import type { AuditEntryRecord, GovernanceStore } from "./governance_store.ts";
import type { TwoFactorStore } from "./two_factor_store.ts";
import type { ConversationStore } from "./conversation_store.ts";
import type { SearchStore } from "./search_store.ts";
import type { AttachmentStore, MessageAttachment } from "./attachment_store.ts";
import type { DmStore } from "./dm_store.ts";
import type { NotificationStore } from "./notification_store.ts";

export type { TwoFactorRecord } from "./two_factor_store.ts";
export type * from "./governance_store.ts";
export type * from "./conversation_store.ts";
export type * from "./search_store.ts";
export type * from "./attachment_store.ts";
export type * from "./dm_store.ts";
export type * from "./notification_store.ts";

/** A user as stored, including the secret parts the API never returns. */
export interface UserRecord {
  id: string;
  /** Already lowercased and validated. */
  username: string;
  displayName: string;
  bio: string;
  passwordHash: string;
  /** Changes with each upload, so avatar URLs can be cached forever; null: the generated one. */
  avatarVersion: string | null;
  createdAt: Date;
  /** Set by an instance administrator; absent (never false) when not suspended. */
  suspended?: true;
  /** Where password reset links are mailed; absent when the user gave none. */
  email?: string;
}

/** The fields of a profile a user can change. */
export type ProfilePatch = Partial<Pick<UserRecord, "displayName" | "bio">>;

/** One login. Deleting it revokes every token that names it. */
export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  /** The client's `User-Agent` at login, cut to SESSION_USER_AGENT_MAX ("" when none was sent). */
  userAgent: string;
  /** When the session was last used; refreshed at most every SESSION_TOUCH_INTERVAL_MS. */
  lastSeenAt: Date;
}

/**
 * A pending password reset (lib/accounts/password_reset.ts): the SHA-256 of the link's token, never
 * the token itself, so a read of the database cannot use a link.
 */
export interface PasswordResetRecord {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** An uploaded avatar image. */
export interface AvatarRecord {
  contentType: string;
  bytes: Uint8Array;
  version: string;
}

/** A server (a "guild"): a named group of channels and members. */
export interface ServerRecord {
  id: string;
  name: string;
  ownerId: string;
  createdAt: Date;
  /** Changes with each icon upload; null: no icon (records stored before icons read as null). */
  iconVersion: string | null;
}

/** A channel (a "salon") of a server, or a category that groups channels. */
export interface ChannelRecord {
  id: string;
  serverId: string;
  name: string;
  createdAt: Date;
  /**
   * Records stored before categories existed read as "text", no parent, "" and 0. "dm" and
   * "group_dm" are direct messages (db/dm_store.ts): their `serverId` is their own id.
   */
  kind: "text" | "category" | "dm" | "group_dm";
  /** The category it sits in (never for a category); null: none. */
  parentId: string | null;
  topic: string;
  /** Sort order within its category, ascending (ties: oldest first). */
  position: number;
}

/** An invite code that lets anyone who has it join a server. */
export interface InviteRecord {
  code: string;
  serverId: string;
  createdBy: string;
  createdAt: Date;
  /** Null: never expires. */
  expiresAt: Date | null;
  /** 0: unlimited. */
  maxUses: number;
  /** Joins made with it (records stored before limits read as 0). */
  uses: number;
}

/** A stored message. `seq` is its channel's counter: 1, 2, 3… with no gap at creation. */
export interface MessageRecord {
  id: string;
  channelId: string;
  seq: number;
  authorId: string;
  content: string;
  createdAt: Date;
  editedAt: Date | null;
  /** The sender's id for this send; the same (author, nonce) is stored once. */
  nonce: string | null;
  /** The message this one replies to (records stored before replies read as null). */
  replyToId: string | null;
  /**
   * Who the message mentions, resolved at send: user ids, and whether it mentions everyone
   * (records stored before mentions read as `{ users: [], everyone: false }`).
   */
  mentions: MessageMentions;
  /**
   * The files sent with it, as they were at send (records stored before attachments, and
   * messages without any, read as none). `appendMessage` claims them in the same commit.
   */
  attachments?: MessageAttachment[];
}

/** The mentions stored with a message. */
export interface MessageMentions {
  users: string[];
  everyone: boolean;
}

/** A page of one author's messages across channels: `afterId` is an exclusive id bound. */
export interface AuthorMessageQuery {
  afterId?: string;
  limit: number;
}

/** A server a user belongs to, and since when. */
export interface MembershipRecord {
  server: ServerRecord;
  joinedAt: Date;
}

/** What `appendMessage` needs; the store assigns `seq`. */
export type NewMessage = Omit<MessageRecord, "seq" | "editedAt">;

/** A page of history: `before`/`after` are exclusive seq bounds. */
export interface MessageQuery {
  before?: number;
  after?: number;
  limit: number;
}

/** One channel as one reader stands in it: its latest seq and their read marker (0: none). */
export interface ChannelState {
  channel: ChannelRecord;
  lastSeq: number;
  readSeq: number;
}

/** A server with the states of its channels, oldest channel first. */
export interface ServerState {
  server: ServerRecord;
  channels: ChannelState[];
}

/** Thrown by `createUser` when the username is already taken. */
export class UsernameTakenError extends Error {
  constructor(username: string) {
    super(`Username "${username}" is already taken`);
    this.name = "UsernameTakenError";
  }
}

/** Thrown by `deleteUser` when the user still owns a server. */
export class OwnsServersError extends Error {
  constructor(userId: string) {
    super(`User ${userId} owns servers`);
    this.name = "OwnsServersError";
  }
}

/** Thrown by `appendMessage` when the author is not a member of the server named. */
export class NotAMemberError extends Error {
  constructor(userId: string, serverId: string) {
    super(`User ${userId} is not a member of server ${serverId}`);
    this.name = "NotAMemberError";
  }
}

/** Thrown by `createChannel` when the server already has a channel of that name. */
export class ChannelNameTakenError extends Error {
  constructor(name: string) {
    super(`Channel "${name}" already exists`);
    this.name = "ChannelNameTakenError";
  }
}

/**
 * Two-factor state (findTwoFactor, activateTotp, useTotpStep…) is in TwoFactorStore; roles,
 * overwrites, moderation, invite limits and the audit log in GovernanceStore; reactions, pins,
 * custom emoji and the change log in ConversationStore; search in SearchStore.
 */
export interface Store
  extends
    TwoFactorStore,
    GovernanceStore,
    ConversationStore,
    SearchStore,
    AttachmentStore,
    DmStore,
    NotificationStore {
  /** Stores a new user; throws `UsernameTakenError` if the username exists, even under races. */
  createUser(user: UserRecord): Promise<void>;
  findUserById(id: string): Promise<UserRecord | null>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  /**
   * Deletes the user with their sessions, avatar, memberships and read markers; false if there
   * was no such user. Their messages stay (their author then resolves to nobody), and so do
   * invites they made. Throws `OwnsServersError` if they own a server (the caller checks first;
   * PostgreSQL also refuses under a race).
   */
  deleteUser(id: string): Promise<boolean>;
  /** Replaces the user's password hash; null if the user does not exist. */
  setPasswordHash(id: string, passwordHash: string): Promise<UserRecord | null>;
  /** Applies a profile patch; null if the user does not exist. */
  updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord | null>;
  /** Replaces the user's avatar and bumps `avatarVersion`; null if the user does not exist. */
  putAvatar(userId: string, avatar: AvatarRecord): Promise<UserRecord | null>;
  /** The user's uploaded avatar, or null if they never uploaded one. */
  findAvatar(userId: string): Promise<AvatarRecord | null>;
  /**
   * Gives the store the blob store for avatar bytes (db/blob_moves.ts; lib/services.ts calls it
   * once). Without it (a store opened bare) avatars keep their bytes in the store, as before.
   */
  attachBlobStore?(blobs: () => Promise<BlobStore>): Promise<void>;
  /**
   * Copies avatars still holding their bytes in the store into the blob store and drops the
   * bytes there (idempotent, resumable); how many moved. Needs `attachBlobStore` first.
   */
  moveAvatarsToBlobs?(): Promise<number>;
  /** The avatar as a stream (served from the blob store as it is sent); null if none. */
  openAvatar(userId: string): Promise<StoredImage | null>;
  /**
   * `moveAvatarsToBlobs` for server icons and custom emoji (db/blob_moves.ts): how many of each
   * moved. Needs `attachBlobStore` first.
   */
  moveServerImagesToBlobs?(): Promise<{ icons: number; emojis: number }>;

  createSession(session: SessionRecord): Promise<void>;
  /** The session, or null if it never existed, was deleted or has expired. */
  findSession(id: string): Promise<SessionRecord | null>;
  deleteSession(id: string): Promise<void>;
  /** The user's live (unexpired) sessions, oldest first. */
  listSessionsOf(userId: string): Promise<SessionRecord[]>;
  /** Sets a session's `lastSeenAt`; does nothing if the session is gone (never revives it). */
  touchSession(id: string, lastSeenAt: Date): Promise<void>;
  /** Deletes every session of the user but `exceptId`; returns the ids deleted. */
  deleteSessionsOf(userId: string, exceptId?: string): Promise<string[]>;

  /** Users in username order (bytewise), after `after` (exclusive) if given, at most `limit`. */
  listUsers(after: string | undefined, limit: number): Promise<UserRecord[]>;
  /** Suspends or reinstates a user; null if the user does not exist. */
  setSuspended(id: string, suspended: boolean): Promise<UserRecord | null>;
  /** Sets or (with null) removes the user's e-mail address; null if the user does not exist. */
  setEmail(id: string, email: string | null): Promise<UserRecord | null>;
  /** Stores a pending password reset (under its token's hash). */
  createPasswordReset(reset: PasswordResetRecord): Promise<void>;
  /** The pending reset with this token hash, or null if none (taken; expired ones may go). */
  findPasswordReset(tokenHash: string): Promise<PasswordResetRecord | null>;
  /** Deletes and returns the pending reset: of racing callers, exactly one gets it. */
  takePasswordReset(tokenHash: string): Promise<PasswordResetRecord | null>;

  /**
   * Returns the stored value of a setting, storing `value` first if there is none. Two
   * instances racing here get the same answer.
   */
  getOrCreateSetting(key: string, value: string): Promise<string>;

  /** Users by id, in no particular order; unknown ids are skipped. */
  findUsersByIds(ids: string[]): Promise<UserRecord[]>;

  /**
   * Creates a server with its first channel, its `@everyone` role (DEFAULT_EVERYONE_PERMISSIONS)
   * and the owner as first member, in one commit.
   */
  createServer(server: ServerRecord, firstChannel: ChannelRecord): Promise<void>;
  findServer(id: string): Promise<ServerRecord | null>;
  /** The servers a user is a member of, oldest first. */
  listServersOf(userId: string): Promise<ServerRecord[]>;
  /** The user's memberships with their join times, oldest first (as `listServersOf`). */
  listMembershipsOf(userId: string): Promise<MembershipRecord[]>;
  /** Adds a member; false if they already were one. */
  addMember(serverId: string, userId: string, joinedAt: Date): Promise<boolean>;
  /** Removes a member; false if they were not one. */
  removeMember(serverId: string, userId: string): Promise<boolean>;
  isMember(serverId: string, userId: string): Promise<boolean>;
  /** Member ids, oldest first. */
  listMemberIds(serverId: string): Promise<string[]>;

  /**
   * Creates a channel (with its audit entry, in one commit); throws `ChannelNameTakenError` if
   * the server has one of that name.
   */
  createChannel(channel: ChannelRecord, audit?: AuditEntryRecord | null): Promise<void>;
  findChannel(id: string): Promise<ChannelRecord | null>;
  /** A server's channels (categories included), oldest first. */
  listChannels(serverId: string): Promise<ChannelRecord[]>;
  /** The seq of the channel's latest message (0 for none). */
  lastSeq(channelId: string): Promise<number>;
  /**
   * For each of `serverIds` that the user is a member of, in that order (others are left out):
   * the server, its channels, each channel's last seq and the user's read marker. One call for
   * any number of servers and channels: on PostgreSQL one query; on KV (no join, `getMany` of at
   * most 10 keys) two waves of concurrent reads whose count grows with the servers and
   * channels (each backend's comment says which).
   */
  channelStates(userId: string, serverIds: string[]): Promise<ServerState[]>;

  /** Stores an invite (with its audit entry, in one commit). */
  createInvite(invite: InviteRecord, audit?: AuditEntryRecord | null): Promise<void>;
  findInvite(code: string): Promise<InviteRecord | null>;

  /**
   * Stores a message under the channel's next seq, atomically: concurrent senders never share
   * or skip a seq. If the author already sent this nonce, nothing is stored and the first
   * message is returned with `created: false`. With `memberOf`, the author's membership of that
   * server is checked in the same commit (throws `NotAMemberError`), so a send costs one round
   * trip and nobody who just left can still post.
   */
  appendMessage(
    message: NewMessage,
    memberOf?: string,
  ): Promise<{ message: MessageRecord; created: boolean }>;
  /** Messages in ascending seq; with `before`, the latest ones below it. */
  listMessages(channelId: string, query: MessageQuery): Promise<MessageRecord[]>;
  findMessage(id: string): Promise<MessageRecord | null>;
  /**
   * A page of the author's messages in every channel, ascending by id in byte order (UUIDv7
   * ids: the order they were sent); deleted ones are gone, edited ones read as edited.
   */
  listMessagesByAuthor(authorId: string, query: AuthorMessageQuery): Promise<MessageRecord[]>;
  /**
   * Replaces the content, with a change-log entry at `editedAt` in the same commit (see
   * ConversationStore.changedSince); null if the message does not exist.
   */
  editMessage(id: string, content: string, editedAt: Date): Promise<MessageRecord | null>;
  /**
   * Deletes a message with its reactions and pin, its audit entry and a change-log entry (at
   * the audit entry's time, or now without one), in one commit; false if it did not exist.
   */
  deleteMessage(id: string, audit?: AuditEntryRecord | null): Promise<boolean>;

  /** Moves the read marker forward (never back); returns the marker now stored. */
  setReadMarker(userId: string, channelId: string, seq: number): Promise<number>;
  /** The user's read markers by channel id. */
  readMarkers(userId: string): Promise<Map<string, number>>;

  /**
   * The KV database this store keeps its data in, for the bus between instances that share it
   * (only the KV store has one; the PostgreSQL bus opens its own connection).
   */
  readonly kvBusTransport?: KvBusTransport;

  close(): Promise<void>;
}
