/**
 * The storage side of direct messages (API.md "Direct messages"): DM channels and their members,
 * the one DM of each pair of users, blocks and each user's DM policy.
 *
 * A DM channel is stored as a channel (so messages, seqs, read markers, reactions, pins and
 * attachments work on it unchanged) of kind "dm" or "group_dm" that belongs to no server. Its
 * record's `serverId` is the channel's own id: a DM is its own place, under which its permission
 * snapshot (lib/dms/dm_access.ts) and its bus key live; the API shows `serverId: null`.
 *
 * Guarantees: `openDm` creates at most one DM per pair of users, even when both open it at the
 * same moment on different instances (KV: a pair key committed with a `versionstamp: null`
 * check; PostgreSQL: the pair table's primary key); a group never holds more than the limit
 * given (checked in the commit that adds).
 */
import type { ChannelRecord } from "./store.ts";

/** Who may open a DM with a user. */
export type DmPolicy = "everyone" | "server_members" | "nobody";

/** A DM channel with everyone in it. */
export interface DmChannelRecord {
  /** kind "dm" | "group_dm"; `serverId` is the channel's own id (see above). */
  channel: ChannelRecord;
  /** Every member's id, in the order they joined. */
  recipientIds: string[];
  /** The members who closed it (hidden from their list until it opens again). */
  closedBy: string[];
}

/** A DM as one member sees it in their list. */
export interface DmState {
  dm: DmChannelRecord;
  lastSeq: number;
  /** The member's read marker (0: none). */
  readSeq: number;
  /** The latest message's time, or the channel's creation when it has none. */
  activityAt: Date;
}

/** Thrown by `addDmRecipient` when the group already has the most members it may have. */
export class DmFullError extends Error {
  constructor(channelId: string) {
    super(`Group DM ${channelId} is full`);
    this.name = "DmFullError";
  }
}

export interface DmStore {
  /**
   * The one DM of `openerId` and `otherId`: created (with `channel`, both as members) if there
   * is none, else the existing one, opened again for the opener if they had closed it. Of
   * concurrent callers, from either side, exactly one gets `created: true`.
   */
  openDm(
    channel: ChannelRecord,
    openerId: string,
    otherId: string,
  ): Promise<{ dm: DmChannelRecord; created: boolean }>;
  /** Creates a group DM with these members (the creator first), in one commit. */
  createGroupDm(channel: ChannelRecord, memberIds: string[]): Promise<DmChannelRecord>;
  /** The DM channel with all its member ids, or null (no such channel, or not a DM). */
  findDmChannel(channelId: string): Promise<DmChannelRecord | null>;
  /** True if the user is a member of the DM channel. */
  isDmMember(channelId: string, userId: string): Promise<boolean>;
  /**
   * The user's DMs with their states, newest activity first (ties: newest id first); closed ones
   * only with `includeClosed`.
   */
  listDmsOf(userId: string, includeClosed?: boolean): Promise<DmState[]>;
  /** Ids of every DM the user is a member of, closed ones included (a socket's subscriptions). */
  listDmIdsOf(userId: string): Promise<string[]>;
  /**
   * Adds a member to a group DM; false if they already were one (or there is no such group).
   * Throws `DmFullError` when it holds `max` members.
   */
  addDmRecipient(channelId: string, userId: string, max: number): Promise<boolean>;
  /** Removes a member from a group DM; false if they were not one. */
  removeDmRecipient(channelId: string, userId: string): Promise<boolean>;
  /** Names a group DM ("" for none); false if there is no such group. */
  setDmName(channelId: string, name: string): Promise<boolean>;
  /** Closes (hides) or opens the DM for one member; false if they are not a member. */
  setDmClosed(channelId: string, userId: string, closed: boolean): Promise<boolean>;

  /** Records that `userId` blocked `blockedId`; false if it already was. */
  blockUser(userId: string, blockedId: string, at: Date): Promise<boolean>;
  /** Removes the block; false if there was none. */
  unblockUser(userId: string, blockedId: string): Promise<boolean>;
  /** True if `userId` blocked `blockedId`. */
  hasBlocked(userId: string, blockedId: string): Promise<boolean>;
  /** The ids `userId` blocked. */
  listBlockedIds(userId: string): Promise<string[]>;

  /** The user's DM policy ("server_members" unless they set another). */
  findDmPolicy(userId: string): Promise<DmPolicy>;
  /** Sets the user's DM policy. */
  setDmPolicy(userId: string, policy: DmPolicy): Promise<void>;
}
