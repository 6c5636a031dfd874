/**
 * The part of the chat service a WebSocket needs: what a socket reads to start and resume, and
 * the two commands it runs. Sockets depend on this, not on the whole service.
 */
import type { UserRecord } from "../../db/store.ts";
import type {
  ReadyChannel,
  ServerEvent,
  WireDmChannel,
  WireMessage,
  WireServer,
} from "./protocol.ts";

/** A `send` frame's payload, as the frame parser checked it. */
export interface SocketSendInput {
  content: string;
  nonce: string;
  /** The id of the message replied to (checked by the message rules). */
  replyTo?: string;
  /** Attachment ids (checked by the message rules). */
  attachments?: string[];
}

/** What a stored `send` answers: the message to `ack`. */
export interface SocketSendResult {
  message: WireMessage;
}

/** The chat operations a socket session calls. */
export interface SocketChat {
  /** Ids of the servers the user belongs to (the socket's subscriptions). */
  serverIdsOf(user: UserRecord): Promise<string[]>;
  /** What `ready` carries for exactly these servers: channels with lastSeq and readSeq. */
  readyState(
    user: UserRecord,
    serverIds: string[],
  ): Promise<{ server: WireServer; channels: ReadyChannel[] }[]>;
  /**
   * Ids of every DM of the user, closed ones included (each DM is its own place: the socket
   * subscribes to them as to servers, lib/dms/dm_access.ts). Absent: no DMs.
   */
  dmIdsOf?(user: UserRecord): Promise<string[]>;
  /** What `ready.dms` carries: the open DMs, newest activity first (as `GET /api/dms`). */
  readyDms?(user: UserRecord): Promise<WireDmChannel[]>;
  /** The channel if the user is a member of its server; throws NotFound otherwise. */
  memberChannel(user: UserRecord, channelId: string): Promise<unknown>;
  /**
   * A page of a `resume` replay: messages with afterSeq < seq (< beforeSeq if given),
   * ascending, at most `limit`; counted against the user's read budget (RateLimited past it).
   */
  replayPage(
    user: UserRecord,
    channelId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<WireMessage[]>;
  /** Stores and publishes a message; `onQueued` runs once it is in the store's write queue. */
  sendMessage(
    user: UserRecord,
    channelId: string,
    input: SocketSendInput,
    socketId?: number,
    onQueued?: () => void,
  ): Promise<SocketSendResult>;
  /**
   * After a resume's replay: `message_updated` / `message_deleted` for each message of the
   * channel changed since `since` (less a slack), bounded (lib/conversations/convergence.ts).
   */
  changesSince(user: UserRecord, channelId: string, since: Date): Promise<ServerEvent[]>;
  /** Tells the channel's members that the user is typing (not the socket `socketId`). */
  typing(user: UserRecord, channelId: string, socketId?: number): Promise<void>;
}
