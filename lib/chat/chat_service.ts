/**
 * Servers, channels, invites and messages: every read and write checks membership first, and a
 * non-member gets NotFound, never another server's data. Changes are published as events.
 */
import type {
  ChannelRecord,
  MessageRecord,
  ServerRecord,
  Store,
  UserRecord,
} from "../../db/store.ts";
import { ChannelNameTakenError, NotAMemberError } from "../../db/store.ts";
import type { AppendResult } from "../../db/append_queue.ts";
import { v7 as uuidv7 } from "uuid";
import { Conflict, Forbidden, Invalid, NotFound, RateLimited } from "../errors.ts";
import {
  INVITE_CODE_BYTES,
  MESSAGE_PAGE_DEFAULT,
  MESSAGE_PAGE_MAX,
  MESSAGE_RATE_WINDOW_MS,
  PLACE_CACHE_SIZE,
} from "../limits.ts";
import { toPublicUser } from "../public_user.ts";
import { RateLimiter } from "../rate_limiter.ts";
import type { Publish } from "../realtime/envelope.ts";
import type { ReadyChannel, WireChannel, WireMessage, WireServer } from "../realtime/protocol.ts";
import { checkNonce, cleanChannelName, cleanMessageContent, cleanServerName } from "../text.ts";
import {
  toWireAuthor,
  toWireChannel,
  toWireMessage,
  toWireServer,
  unknownAuthor,
} from "./shapes.ts";

export interface ChatServiceOptions {
  store: Store;
  publish: Publish;
  /** Messages per user per 10 s (0: off). */
  messageRateLimit: number;
  now?: () => number;
}

export interface ServerWithChannels {
  server: WireServer;
  channels: WireChannel[];
}

export interface SendInput {
  content?: unknown;
  nonce?: unknown;
}

export interface SendResult {
  message: WireMessage;
  /** False when the nonce was seen before and the first message is returned. */
  created: boolean;
}

export interface HistoryQuery {
  before?: string;
  after?: string;
  limit?: string;
}

function randomCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(INVITE_CODE_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

function seqParam(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d{1,10}$/.test(raw)) {
    throw new Invalid(
      "invalid_cursor",
      `${name} must be a message seq (a whole number): got "${raw}".`,
    );
  }
  return Number(raw);
}

export class ChatService {
  #store: Store;
  #publish: Publish;
  #now: () => number;
  #sendLimiter: RateLimiter;
  #places = new Map<string, { channel: ChannelRecord; server: ServerRecord }>();

  constructor(options: ChatServiceOptions) {
    this.#store = options.store;
    this.#publish = options.publish;
    this.#now = options.now ?? Date.now;
    this.#sendLimiter = new RateLimiter({
      limit: options.messageRateLimit,
      windowMs: MESSAGE_RATE_WINDOW_MS,
      now: this.#now,
    });
  }

  /** Creates a server owned by `user`, with a `general` channel. */
  async createServer(user: UserRecord, input: { name?: unknown }): Promise<ServerWithChannels> {
    const createdAt = new Date(this.#now());
    const server: ServerRecord = {
      id: crypto.randomUUID(),
      name: cleanServerName(input.name),
      ownerId: user.id,
      createdAt,
    };
    const general: ChannelRecord = {
      id: crypto.randomUUID(),
      serverId: server.id,
      name: "general",
      createdAt,
    };
    await this.#store.createServer(server, general);
    const result = { server: toWireServer(server), channels: [toWireChannel(general)] };
    this.#publish({ target: { user: user.id }, event: { type: "server_joined", ...result } });
    return result;
  }

  /** The servers `user` is a member of. */
  async listServers(user: UserRecord): Promise<WireServer[]> {
    return (await this.#store.listServersOf(user.id)).map(toWireServer);
  }

  /** A server with its channels and members, for members only. */
  async getServer(user: UserRecord, serverId: string) {
    const server = await this.#memberServer(user, serverId);
    const [channels, memberIds] = await Promise.all([
      this.#store.listChannels(server.id),
      this.#store.listMemberIds(server.id),
    ]);
    const members = await this.#usersInOrder(memberIds);
    return {
      server: toWireServer(server),
      channels: channels.map(toWireChannel),
      members: members.map(toPublicUser),
    };
  }

  /** A new invite code for a server (members only). */
  async createInvite(user: UserRecord, serverId: string): Promise<string> {
    const server = await this.#memberServer(user, serverId);
    const code = randomCode();
    await this.#store.createInvite({
      code,
      serverId: server.id,
      createdBy: user.id,
      createdAt: new Date(this.#now()),
    });
    return code;
  }

  /** The server an invite leads to, without joining (for the invite page). */
  async previewInvite(code: string): Promise<WireServer> {
    const invite = await this.#store.findInvite(code);
    const server = invite && await this.#store.findServer(invite.serverId);
    if (!server) throw new NotFound("This invite is invalid or has expired.", "invalid_invite");
    return toWireServer(server);
  }

  /** Joins the invite's server; joining again is harmless. */
  async joinByInvite(user: UserRecord, code: string): Promise<ServerWithChannels> {
    const invite = await this.#store.findInvite(code);
    const server = invite && await this.#store.findServer(invite.serverId);
    if (!server) throw new NotFound("This invite is invalid or has expired.", "invalid_invite");
    const joined = await this.#store.addMember(server.id, user.id, new Date(this.#now()));
    const result = {
      server: toWireServer(server),
      channels: (await this.#store.listChannels(server.id)).map(toWireChannel),
    };
    if (joined) {
      // The joiner's sockets subscribe first, so they also see their own member_joined.
      this.#publish({ target: { user: user.id }, event: { type: "server_joined", ...result } });
      this.#publish({
        target: { servers: [server.id] },
        event: { type: "member_joined", serverId: server.id, user: toPublicUser(user) },
      });
    }
    return result;
  }

  /** Leaves a server. The owner cannot leave (a server always has its owner). */
  async leaveServer(user: UserRecord, serverId: string): Promise<void> {
    const server = await this.#memberServer(user, serverId);
    if (server.ownerId === user.id) {
      throw new Forbidden("The owner cannot leave their own server.", "owner_cannot_leave");
    }
    if (!(await this.#store.removeMember(server.id, user.id))) return;
    this.#publish({
      target: { servers: [server.id] },
      event: { type: "member_left", serverId: server.id, user: toPublicUser(user) },
    });
    this.#publish({
      target: { user: user.id },
      event: { type: "server_left", serverId: server.id },
    });
  }

  /** Creates a channel (server owner only). */
  async createChannel(
    user: UserRecord,
    serverId: string,
    input: { name?: unknown },
  ): Promise<WireChannel> {
    const server = await this.#memberServer(user, serverId);
    if (server.ownerId !== user.id) {
      throw new Forbidden("Only the server's owner can create channels.", "not_owner");
    }
    const channel: ChannelRecord = {
      id: crypto.randomUUID(),
      serverId: server.id,
      name: cleanChannelName(input.name),
      createdAt: new Date(this.#now()),
    };
    try {
      await this.#store.createChannel(channel);
    } catch (error) {
      if (error instanceof ChannelNameTakenError) {
        throw new Conflict(
          "channel_exists",
          `A channel named "${channel.name}" already exists.`,
          "name",
        );
      }
      throw error;
    }
    const wire = toWireChannel(channel);
    this.#publish({
      target: { servers: [server.id] },
      event: { type: "channel_created", channel: wire },
    });
    return wire;
  }

  /** A channel the user may see, with its server; NotFound otherwise. */
  async memberChannel(
    user: UserRecord,
    channelId: string,
  ): Promise<{ channel: ChannelRecord; server: ServerRecord }> {
    const place = await this.#channelWithServer(channelId);
    if (!place || !(await this.#store.isMember(place.server.id, user.id))) {
      throw new NotFound("No such channel.");
    }
    return place;
  }

  /**
   * Channels and servers never change once created, so the hot path (every send, every typing
   * event) reads them once per process; membership is checked in the store every time.
   */
  async #channelWithServer(
    channelId: string,
  ): Promise<{ channel: ChannelRecord; server: ServerRecord } | null> {
    const cached = this.#places.get(channelId);
    if (cached) return cached;
    const channel = await this.#store.findChannel(channelId);
    const server = channel && await this.#store.findServer(channel.serverId);
    if (!channel || !server) return null;
    if (this.#places.size >= PLACE_CACHE_SIZE) {
      this.#places.delete(this.#places.keys().next().value!);
    }
    this.#places.set(channelId, { channel, server });
    return { channel, server };
  }

  /** A page of history, ascending by seq. */
  async listMessages(
    user: UserRecord,
    channelId: string,
    query: HistoryQuery,
  ): Promise<WireMessage[]> {
    const { channel } = await this.memberChannel(user, channelId);
    const limit = seqParam(query.limit, "limit") ?? MESSAGE_PAGE_DEFAULT;
    if (limit < 1 || limit > MESSAGE_PAGE_MAX) {
      throw new Invalid(
        "invalid_limit",
        `limit must be from 1 to ${MESSAGE_PAGE_MAX}: got ${limit}.`,
      );
    }
    const messages = await this.#store.listMessages(channel.id, {
      before: seqParam(query.before, "before"),
      after: seqParam(query.after, "after"),
      limit,
    });
    return await this.#withAuthors(messages);
  }

  /** Messages after `afterSeq` (for resume and gap filling), up to `limit`. */
  async messagesAfter(
    channelId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
    limit: number,
  ) {
    const messages = await this.#store.listMessages(channelId, {
      after: afterSeq,
      before: beforeSeq,
      limit,
    });
    return await this.#withAuthors(messages);
  }

  /**
   * Stores and publishes a message. A repeated nonce returns the first message and publishes
   * nothing. `socketId` is the sending socket, which gets an `ack` instead of the event.
   * `onQueued` runs once the message is in the store's write queue (or the send failed before):
   * the store commits in queue order, so a socket may start its next send then and still have
   * its messages stored in the order it sent them.
   */
  async sendMessage(
    user: UserRecord,
    channelId: string,
    input: SendInput,
    socketId?: number,
    onQueued?: () => void,
  ): Promise<SendResult> {
    let appending: Promise<AppendResult>;
    let serverId: string;
    try {
      ({ appending, serverId } = await this.#queueMessage(user, channelId, input));
    } finally {
      onQueued?.();
    }
    let appended;
    try {
      appended = await appending;
    } catch (error) {
      if (error instanceof NotAMemberError) throw new NotFound("No such channel.");
      throw error;
    }
    const { message, created } = appended;
    const wire = toWireMessage(message, toWireAuthor(user));
    if (created) {
      this.#publish({
        target: { servers: [serverId] },
        event: { type: "message", message: wire },
        order: { channelId: message.channelId, seq: message.seq },
        skipSocket: socketId,
      });
    }
    return { message: wire, created };
  }

  /** Checks a send and puts it in the store's write queue; resolves to the pending append. */
  async #queueMessage(
    user: UserRecord,
    channelId: string,
    input: SendInput,
  ): Promise<{ appending: Promise<AppendResult>; serverId: string }> {
    const content = cleanMessageContent(input.content);
    const nonce = checkNonce(input.nonce);
    // Membership is checked by the append itself (one round trip on the hot path).
    const place = await this.#channelWithServer(channelId);
    if (!place) throw new NotFound("No such channel.");
    const { channel, server } = place;
    const retryAfterMs = this.#sendLimiter.retryAfterMs(user.id);
    if (retryAfterMs > 0) {
      throw new RateLimited(Math.ceil(retryAfterMs / 1000), "You are sending messages too fast.");
    }
    this.#sendLimiter.hit(user.id);
    const appending = this.#store.appendMessage({
      // Time-ordered (UUIDv7): each new id lands at the end of the stores' id indexes instead of
      // at a random page (Deno KV's ingest: +26 %, BENCHMARKS.md).
      id: uuidv7(),
      channelId: channel.id,
      authorId: user.id,
      content,
      createdAt: new Date(this.#now()),
      nonce,
    }, server.id);
    // Returned in an object: an async function returning the promise itself would wait for it.
    return { appending, serverId: server.id };
  }

  /** Edits a message (its author only). */
  async editMessage(
    user: UserRecord,
    messageId: string,
    input: { content?: unknown },
  ): Promise<WireMessage> {
    const content = cleanMessageContent(input.content);
    const { message, server } = await this.#memberMessage(user, messageId);
    if (message.authorId !== user.id) {
      throw new Forbidden("Only the author can edit a message.", "not_author");
    }
    const edited = await this.#store.editMessage(message.id, content, new Date(this.#now()));
    if (!edited) throw new NotFound("No such message.");
    const wire = toWireMessage(edited, toWireAuthor(user));
    this.#publish({
      target: { servers: [server.id] },
      event: { type: "message_updated", message: wire },
    });
    return wire;
  }

  /** Deletes a message (its author or the server's owner). */
  async deleteMessage(user: UserRecord, messageId: string): Promise<void> {
    const { message, server } = await this.#memberMessage(user, messageId);
    if (message.authorId !== user.id && server.ownerId !== user.id) {
      throw new Forbidden(
        "Only the author or the server's owner can delete a message.",
        "not_allowed",
      );
    }
    if (!(await this.#store.deleteMessage(message.id))) return;
    this.#publish({
      target: { servers: [server.id] },
      event: { type: "message_deleted", channelId: message.channelId, id: message.id },
    });
  }

  /** Moves the user's read marker; their other sockets hear of it. */
  async markRead(user: UserRecord, channelId: string, input: { seq?: unknown }): Promise<number> {
    if (typeof input.seq !== "number" || !Number.isSafeInteger(input.seq) || input.seq < 0) {
      throw new Invalid("invalid_seq", "seq must be a whole number, 0 or more.", "seq");
    }
    const { channel } = await this.memberChannel(user, channelId);
    const last = await this.#store.lastSeq(channel.id);
    const seq = await this.#store.setReadMarker(user.id, channel.id, Math.min(input.seq, last));
    this.#publish({
      target: { user: user.id },
      event: { type: "read", channelId: channel.id, seq },
    });
    return seq;
  }

  /** What `ready` carries: every server of the user, channels with lastSeq and readSeq. */
  async readyState(user: UserRecord): Promise<{ server: WireServer; channels: ReadyChannel[] }[]> {
    const [servers, markers] = await Promise.all([
      this.#store.listServersOf(user.id),
      this.#store.readMarkers(user.id),
    ]);
    return await Promise.all(servers.map(async (server) => {
      const channels = await this.#store.listChannels(server.id);
      return {
        server: toWireServer(server),
        channels: await Promise.all(channels.map(async (channel) => ({
          ...toWireChannel(channel),
          lastSeq: await this.#store.lastSeq(channel.id),
          readSeq: markers.get(channel.id) ?? 0,
        }))),
      };
    }));
  }

  /** Per channel of a server: its latest seq and the user's read marker (members only). */
  async readStates(
    user: UserRecord,
    serverId: string,
  ): Promise<Map<string, { lastSeq: number; readSeq: number }>> {
    const server = await this.#memberServer(user, serverId);
    const [channels, markers] = await Promise.all([
      this.#store.listChannels(server.id),
      this.#store.readMarkers(user.id),
    ]);
    return new Map(
      await Promise.all(channels.map(async (channel) =>
        [channel.id, {
          lastSeq: await this.#store.lastSeq(channel.id),
          readSeq: markers.get(channel.id) ?? 0,
        }] as const
      )),
    );
  }

  /** Ids of the servers the user belongs to (socket subscriptions). */
  async serverIdsOf(user: UserRecord): Promise<string[]> {
    return (await this.#store.listServersOf(user.id)).map((server) => server.id);
  }

  /** Tells the channel's members that `user` is typing (not the typing socket itself). */
  async typing(user: UserRecord, channelId: string, socketId?: number): Promise<void> {
    const { channel, server } = await this.memberChannel(user, channelId);
    this.#publish({
      target: { servers: [server.id] },
      event: { type: "typing", channelId: channel.id, user: toWireAuthor(user) },
      skipSocket: socketId,
    });
  }

  /** One message in the API's shape, or null (bus events sent by reference). */
  async wireMessage(id: string): Promise<WireMessage | null> {
    const message = await this.#store.findMessage(id);
    return message ? (await this.#withAuthors([message]))[0] : null;
  }

  async #memberServer(user: UserRecord, serverId: string): Promise<ServerRecord> {
    const server = await this.#store.findServer(serverId);
    if (!server || !(await this.#store.isMember(server.id, user.id))) {
      throw new NotFound("No such server.");
    }
    return server;
  }

  async #memberMessage(user: UserRecord, messageId: string) {
    const message = await this.#store.findMessage(messageId);
    if (!message) throw new NotFound("No such message.");
    try {
      const { server } = await this.memberChannel(user, message.channelId);
      return { message, server };
    } catch {
      throw new NotFound("No such message.");
    }
  }

  async #usersInOrder(ids: string[]): Promise<UserRecord[]> {
    const byId = new Map((await this.#store.findUsersByIds(ids)).map((u) => [u.id, u]));
    return ids.map((id) => byId.get(id)).filter((u): u is UserRecord => u !== undefined);
  }

  async #withAuthors(messages: MessageRecord[]): Promise<WireMessage[]> {
    const ids = [...new Set(messages.map((m) => m.authorId))];
    const authors = new Map(
      (await this.#store.findUsersByIds(ids)).map((u) => [u.id, toWireAuthor(u)]),
    );
    return messages.map((m) =>
      toWireMessage(m, authors.get(m.authorId) ?? unknownAuthor(m.authorId))
    );
  }
}
