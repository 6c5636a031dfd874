/**
 * The WebSocket protocol of API.md as types: one tagged union per direction, plus the API
 * shapes they carry. Types only (no runtime code), so islands may import it.
 */

/** The `user` object of the API. */
export interface WireUser {
  id: string;
  username: string;
  displayName: string;
  bio: string;
  avatarUrl: string;
  createdAt: string;
}

/** A message's author: the public parts of a user. */
export type WireAuthor = Pick<WireUser, "id" | "username" | "displayName" | "avatarUrl">;

export interface WireServer {
  id: string;
  name: string;
  ownerId: string;
  createdAt: string;
  /** The server's icon (a cache-busting URL), or null for none. */
  iconUrl: string | null;
}

/** One overwrite of a channel (Discord's `permission_overwrites` entry, names for bits). */
export interface WireOverwrite {
  /** The role's or the member's (user's) id. */
  id: string;
  type: "role" | "member";
  allow: string[];
  deny: string[];
}

export interface WireChannel {
  id: string;
  serverId: string;
  name: string;
  createdAt: string;
  kind: "text" | "category";
  parentId: string | null;
  topic: string;
  position: number;
  /** Salon's addition (Discord has it too): so clients and instances see overwrites live. */
  permissionOverwrites: WireOverwrite[];
}

/** API.md's `role`. */
export interface WireRole {
  id: string;
  serverId: string;
  name: string;
  color: number | null;
  position: number;
  permissions: string[];
  mentionable: boolean;
}

/** API.md's `member`. */
export interface WireMember {
  user: WireUser;
  roles: string[];
  joinedAt: string;
  timeoutUntil: string | null;
}

/** API.md's `invite`: what anyone holding the code may see of it and of its server. */
export interface WireInvite {
  code: string;
  server: { id: string; name: string; iconUrl: string | null; memberCount: number };
  /** The creator's user id. */
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  uses: number;
  /** 0: unlimited. */
  maxUses: number;
}

/** One entry of `GET /api/servers/:id/bans`. */
export interface WireBan {
  user: WireUser;
  reason: string | null;
  createdAt: string;
}

/** API.md's audit entry. */
export interface WireAuditEntry {
  id: string;
  action: string;
  actorId: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  changes: { key: string; old: unknown; new: unknown }[];
  createdAt: string;
}

/** A channel as `ready` lists it: with its latest seq and the user's read marker. */
export interface ReadyChannel extends WireChannel {
  lastSeq: number;
  readSeq: number;
}

/**
 * A direct-message channel (API.md "Direct messages"): in no server; `recipients` are everyone
 * in it but the reader; `name` null unless a group DM was named.
 */
export interface WireDmChannel {
  id: string;
  serverId: null;
  kind: "dm" | "group_dm";
  name: string | null;
  createdAt: string;
  recipients: WireUser[];
  /** The channel's latest seq and the reader's read marker (as `ready` channels have). */
  lastSeq: number;
  readSeq: number;
}

/** A reply's quoted preview, built when read (API.md "Conversations"). */
export type WireReplyPreview =
  | { id: string; seq: number; author: WireAuthor; excerpt: string }
  | { id: string; deleted: true };

/** One emoji's reactions on a message; `me` is the reader's own (false in fan-out events). */
export interface WireReaction {
  emoji: string;
  count: number;
  me: boolean;
}

/** Who a message mentions, resolved when it was sent. */
export interface WireMentions {
  users: string[];
  everyone: boolean;
}

/** A custom emoji of a server. */
export interface WireEmoji {
  id: string;
  name: string;
  url: string;
}

/** One entry of `GET /api/channels/:id/pins`. */
export interface WirePin {
  message: WireMessage;
  pinnedBy: string;
  pinnedAt: string;
}

export interface WireMessage {
  id: string;
  channelId: string;
  seq: number;
  author: WireAuthor;
  content: string;
  createdAt: string;
  editedAt: string | null;
  nonce?: string;
  /**
   * The conversation fields: always present in the server's answers and events; optional
   * only so a client's own not-yet-acked message (and older test fixtures) need not invent them.
   */
  replyTo?: WireReplyPreview | null;
  reactions?: WireReaction[];
  pinned?: boolean;
  mentions?: WireMentions;
  /** Files sent with the message (API.md "Attachments"), in the order the sender gave. */
  attachments?: WireAttachment[];
}

/**
 * An uploaded file (API.md "Attachments"). `width`/`height`/`placeholder` (a thumbhash, base64)
 * are set for images only; `url` serves the file to those who may view its channel.
 */
export interface WireAttachment {
  id: string;
  filename: string;
  contentType: string;
  /** Bytes of the stored file (after metadata removal). */
  size: number;
  width: number | null;
  height: number | null;
  placeholder: string | null;
  url: string;
  thumbnailUrl: string | null;
}

/** What `reaction_added` / `reaction_removed` carry. */
export interface WireReactionChange {
  channelId: string;
  messageId: string;
  emoji: string;
  userId: string;
}

/** What `message_pinned` / `message_unpinned` carry (`by`: a user id). */
export interface WirePinChange {
  channelId: string;
  messageId: string;
  by: string;
}

/** Frames a client sends. */
export type ClientFrame =
  | { type: "auth"; token: string }
  | {
    type: "send";
    channelId: string;
    content: string;
    nonce: string;
    replyTo?: string;
    /** Ids of the sender's uploads to the channel (API.md "Attachments"). */
    attachments?: string[];
  }
  | { type: "typing"; channelId: string }
  /** `since`: ISO time the client was last in sync (its ready.serverTime + time until the drop). */
  | { type: "resume"; channels: Record<string, number>; since?: string }
  | { type: "ping" }
  /** The page was hidden or shown (Page Visibility API): no push while one page is in sight. */
  | { type: "visibility"; visible: boolean };

/** Frames the server sends. `server_joined`/`server_left` are Salon's additions to API.md. */
export type ServerEvent =
  | {
    type: "ready";
    user: WireUser;
    servers: { server: WireServer; channels: ReadyChannel[] }[];
    /** The user's open DMs, newest activity first (the shape of `GET /api/dms`'s `channels`). */
    dms?: WireDmChannel[];
    /** The server's clock (ISO), for a later `resume`'s `since`. */
    serverTime?: string;
    /**
     * Ids of the members of `servers` online now (here or on another instance), the user
     * included: a client replaces its presence with it (what changed since its page was made,
     * or while it was disconnected). Absent past READY_ONLINE_MAX.
     */
    online?: string[];
  }
  | { type: "ack"; nonce: string; message: WireMessage }
  | { type: "message"; message: WireMessage }
  | { type: "message_updated"; message: WireMessage }
  | { type: "message_deleted"; channelId: string; id: string }
  | { type: "typing"; channelId: string; user: WireAuthor }
  | { type: "presence"; userId: string; status: "online" | "offline" }
  | { type: "member_joined"; serverId: string; user: WireUser }
  | {
    type: "member_left";
    serverId: string;
    user: WireUser;
    reason?: "left" | "kicked" | "banned";
  }
  | { type: "member_updated"; serverId: string; member: WireMember }
  | { type: "channel_created"; channel: WireChannel }
  | { type: "channel_updated"; channel: WireChannel }
  | { type: "channel_deleted"; serverId: string; channelId: string }
  | { type: "server_updated"; server: WireServer }
  | { type: "server_deleted"; serverId: string }
  | { type: "role_created"; role: WireRole }
  | { type: "role_updated"; role: WireRole }
  | { type: "role_deleted"; serverId: string; roleId: string }
  | { type: "read"; channelId: string; seq: number }
  | ({ type: "reaction_added" } & WireReactionChange)
  | ({ type: "reaction_removed" } & WireReactionChange)
  | ({ type: "message_pinned" } & WirePinChange)
  | ({ type: "message_unpinned" } & WirePinChange)
  | { type: "user_updated"; user: WireUser }
  | { type: "server_joined"; server: WireServer; channels: WireChannel[] }
  | { type: "server_left"; serverId: string }
  /** To each member when a DM is created (on open, before any message) or opens again. */
  | { type: "dm_created"; channel: WireDmChannel }
  /** To each member when its recipients or name change. */
  | { type: "dm_updated"; channel: WireDmChannel }
  /** Salon's addition: to a user who left or was removed from a group DM (it is gone for them). */
  | { type: "dm_removed"; channelId: string }
  /** `channelId`: the error is about one channel of a `resume` (its replay failed). */
  | { type: "error"; code: string; message: string; nonce?: string; channelId?: string }
  | { type: "pong" };
