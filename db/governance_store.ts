/**
 * The storage side of running a community (API.md "Permissions and roles" and "Managing
 * servers, channels, invites, members"): roles, member roles and time-outs, channel overwrites,
 * bans, invite limits and the audit log.
 *
 * Every method that changes something takes the `AuditEntryRecord` that records it (or null,
 * when nothing is to be recorded) and writes both in ONE commit: an entry without its change, or
 * a change without its entry, cannot exist, also across a crash. A method that finds nothing to
 * change writes no entry either.
 *
 * Permissions are stored as arrays of names (lib/permissions/permission_names.ts), so adding a
 * permission never rewrites stored data.
 */
import type { ChannelRecord, ServerRecord } from "./store.ts";
import type { StoredImage } from "./blob_moves.ts";

/** A role of a server. `@everyone`'s id is the server's id and its position is 0. */
export interface RoleRecord {
  id: string;
  serverId: string;
  name: string;
  /** An RGB integer (0xRRGGBB), or null for none. */
  color: number | null;
  /** Higher is higher in the hierarchy; `@everyone` is 0, others ≥ 1. */
  position: number;
  permissions: string[];
  mentionable: boolean;
}

/** The fields of a role a PATCH may change. */
export type RolePatch = Partial<
  Pick<RoleRecord, "name" | "color" | "position" | "permissions" | "mentionable">
>;

/** A channel's overwrite for one role or one member (`targetId` is the role's or user's id). */
export interface OverwriteRecord {
  channelId: string;
  targetId: string;
  type: "role" | "member";
  allow: string[];
  deny: string[];
}

/** A membership with what governance keeps on it. */
export interface MemberRecord {
  serverId: string;
  userId: string;
  joinedAt: Date;
  /** Role ids besides `@everyone` (which every member holds implicitly). */
  roleIds: string[];
  /** Until when the member may not send, react or type; null when not timed out. */
  timeoutUntil: Date | null;
}

/** A ban: the user cannot join the server again until unbanned. */
export interface BanRecord {
  serverId: string;
  userId: string;
  reason: string | null;
  createdAt: Date;
}

/** One recorded change of a value (`old`/`new` are JSON values; null where there was none). */
export interface AuditChange {
  key: string;
  old: unknown;
  new: unknown;
}

/** An audit log entry (API.md's audit entry, plus the server it belongs to). */
export interface AuditEntryRecord {
  /** UUIDv7: time-ordered, so "newest first" is descending id order. */
  id: string;
  serverId: string;
  action: string;
  actorId: string;
  targetType:
    | "server"
    | "channel"
    | "role"
    | "member"
    | "overwrite"
    | "invite"
    | "message"
    | "emoji";
  targetId: string;
  reason: string | null;
  changes: AuditChange[];
  createdAt: Date;
}

/** A page of the audit log, newest first: `before` is an exclusive entry id bound. */
export interface AuditQuery {
  before?: string;
  limit: number;
  action?: string;
  actorId?: string;
}

/** The fields of a server a PATCH (or an icon upload) may change. */
export interface ServerPatch {
  name?: string;
  ownerId?: string;
  /** Changes with each icon upload (cache-busting URLs, like avatars); null: no icon. */
  iconVersion?: string | null;
}

/** The fields of a channel a PATCH may change. */
export type ChannelPatch = Partial<Pick<ChannelRecord, "name" | "topic" | "position" | "parentId">>;

/** An uploaded server icon. */
export interface IconRecord {
  contentType: string;
  bytes: Uint8Array;
  version: string;
}

/** What `joinByInvite` did. */
export type InviteJoin =
  | { status: "joined"; server: ServerRecord }
  /** Already a member: nothing changed, the invite's uses did not grow. */
  | { status: "member"; server: ServerRecord }
  | { status: "banned" }
  /** Unknown, expired or used up (or its server is gone). */
  | { status: "invalid" };

export interface GovernanceStore {
  // Servers. `createServer` (Store) also creates the `@everyone` role with the defaults.
  /** Applies a patch; null if there is no such server. */
  updateServer(
    id: string,
    patch: ServerPatch,
    audit: AuditEntryRecord | null,
  ): Promise<ServerRecord | null>;
  /** Stores the icon and sets `iconVersion` (one commit); null if there is no such server. */
  putServerIcon(
    id: string,
    icon: IconRecord,
    audit: AuditEntryRecord | null,
  ): Promise<ServerRecord | null>;
  findServerIcon(id: string): Promise<IconRecord | null>;
  /** The icon as a stream (served from the blob store as it is sent); null if none. */
  openServerIcon(id: string): Promise<StoredImage | null>;
  /**
   * Deletes the server and everything in it (channels, messages, roles, members, invites, bans,
   * audit log); false if there was none. From the moment it returns, nothing of it can be read
   * (KV may purge the rest in the background).
   */
  deleteServer(id: string): Promise<boolean>;

  // Channels (`createChannel` in Store takes the audit entry too).
  /** Applies a patch; null if there is no such channel; `ChannelNameTakenError` on a clash. */
  updateChannel(
    id: string,
    patch: ChannelPatch,
    audit: AuditEntryRecord | null,
  ): Promise<ChannelRecord | null>;
  /**
   * Deletes a channel with its messages, read markers and overwrites; the channels under a
   * deleted category move to no category. False if there was none.
   */
  deleteChannel(id: string, audit: AuditEntryRecord | null): Promise<boolean>;

  // Roles.
  /** The server's roles (with `@everyone`), lowest position first; [] for no such server. */
  listRoles(serverId: string): Promise<RoleRecord[]>;
  createRole(role: RoleRecord, audit: AuditEntryRecord | null): Promise<void>;
  /** Applies a patch; null if there is no such role in that server. */
  updateRole(
    serverId: string,
    roleId: string,
    patch: RolePatch,
    audit: AuditEntryRecord | null,
  ): Promise<RoleRecord | null>;
  /** Deletes a role; members stop holding it and its overwrites go. False if there was none. */
  deleteRole(serverId: string, roleId: string, audit: AuditEntryRecord | null): Promise<boolean>;

  // Members.
  findMember(serverId: string, userId: string): Promise<MemberRecord | null>;
  /** Every member, oldest first (role ids of deleted roles never appear). */
  listMembers(serverId: string): Promise<MemberRecord[]>;
  /** Gives a role (or, with `add` false, takes it); null if not a member; unchanged: no entry. */
  setMemberRole(
    serverId: string,
    userId: string,
    roleId: string,
    add: boolean,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null>;
  /** Sets or (null) lifts a time-out; null if not a member. */
  setMemberTimeout(
    serverId: string,
    userId: string,
    until: Date | null,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null>;
  /** Removes a member (a kick): false if they were not one. */
  kickMember(serverId: string, userId: string, audit: AuditEntryRecord | null): Promise<boolean>;

  // Bans.
  /** Removes the member if they are one and stores the ban; returns whether they were a member. */
  banMember(ban: BanRecord, audit: AuditEntryRecord | null): Promise<{ wasMember: boolean }>;
  /** Lifts a ban; false if there was none. */
  unbanMember(serverId: string, userId: string, audit: AuditEntryRecord | null): Promise<boolean>;
  findBan(serverId: string, userId: string): Promise<BanRecord | null>;
  /** The server's bans, oldest first. */
  listBans(serverId: string): Promise<BanRecord[]>;

  // Overwrites.
  /** Creates or replaces the overwrite of `targetId` on its channel. */
  putOverwrite(overwrite: OverwriteRecord, audit: AuditEntryRecord | null): Promise<void>;
  /** False if there was none. */
  deleteOverwrite(
    channelId: string,
    targetId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean>;
  /** Every overwrite of every channel of the server (for permission snapshots). */
  listOverwrites(serverId: string): Promise<OverwriteRecord[]>;

  // Invites (`createInvite` in Store takes the audit entry too).
  /** The server's invites, oldest first, expired and used-up ones included. */
  listInvites(serverId: string): Promise<import("./store.ts").InviteRecord[]>;
  /** False if there was none. */
  deleteInvite(code: string, audit: AuditEntryRecord | null): Promise<boolean>;
  /**
   * Joins the invite's server in one commit: the invite must exist, not be expired at `now`,
   * not be used up, and the user must not be banned; a new member counts one use.
   */
  joinByInvite(code: string, userId: string, now: Date): Promise<InviteJoin>;

  // Audit log.
  /** A page of the server's audit log, newest first, filtered by action and/or actor. */
  listAuditLog(serverId: string, query: AuditQuery): Promise<AuditEntryRecord[]>;
}
