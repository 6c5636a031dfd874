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
}

export interface WireChannel {
  id: string;
  serverId: string;
  name: string;
  createdAt: string;
}

/** A channel as `ready` lists it: with its latest seq and the user's read marker. */
export interface ReadyChannel extends WireChannel {
  lastSeq: number;
  readSeq: number;
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
}

/** Frames a client sends. */
export type ClientFrame =
  | { type: "auth"; token: string }
  | { type: "send"; channelId: string; content: string; nonce: string }
  | { type: "typing"; channelId: string }
  | { type: "resume"; channels: Record<string, number> }
  | { type: "ping" };

/** Frames the server sends. `server_joined`/`server_left` are Salon's additions to API.md. */
export type ServerEvent =
  | { type: "ready"; user: WireUser; servers: { server: WireServer; channels: ReadyChannel[] }[] }
  | { type: "ack"; nonce: string; message: WireMessage }
  | { type: "message"; message: WireMessage }
  | { type: "message_updated"; message: WireMessage }
  | { type: "message_deleted"; channelId: string; id: string }
  | { type: "typing"; channelId: string; user: WireAuthor }
  | { type: "presence"; userId: string; status: "online" | "offline" }
  | { type: "member_joined"; serverId: string; user: WireUser }
  | { type: "member_left"; serverId: string; user: WireUser }
  | { type: "channel_created"; channel: WireChannel }
  | { type: "read"; channelId: string; seq: number }
  | { type: "server_joined"; server: WireServer; channels: WireChannel[] }
  | { type: "server_left"; serverId: string }
  /** `channelId`: the error is about one channel of a `resume` (its replay failed). */
  | { type: "error"; code: string; message: string; nonce?: string; channelId?: string }
  | { type: "pong" };
