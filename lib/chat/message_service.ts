/** Messages: history pages, sending, editing and deleting, each published to the server. */
import type { AppendResult } from "../../db/append_queue.ts";
import type { ChannelRecord, MessageRecord, UserRecord } from "../../db/store.ts";
import { NotAMemberError } from "../../db/store.ts";
import { v7 as uuidv7 } from "uuid";
import { Forbidden, Invalid, NotFound, RateLimited } from "../errors.ts";
import {
  MESSAGE_PAGE_DEFAULT,
  MESSAGE_PAGE_MAX,
  MESSAGE_RATE_WINDOW_MS,
  READ_RATE_WINDOW_MS,
} from "../limits.ts";
import { RateLimiter } from "../rate_limiter.ts";
import type { WireMessage } from "../realtime/protocol.ts";
import { checkNonce, cleanMessageContent } from "../text.ts";
import { withAuthors } from "./authors.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberChannel } from "./membership.ts";
import { toWireAuthor, toWireMessage } from "./shapes.ts";

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

export interface MessageServiceOptions {
  /** Messages per user per 10 s (0: off). */
  messageRateLimit: number;
  /** Messages read per user per 10 s, HTTP and resume together (0: off). */
  readRateLimit: number;
}

/** A query parameter that must be a message seq (or absent). */
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

export class MessageService {
  #sendLimiter: RateLimiter;
  #readLimiter: RateLimiter;

  constructor(
    readonly deps: ChatDeps,
    readonly places: ChannelPlaces,
    options: MessageServiceOptions,
  ) {
    this.#sendLimiter = new RateLimiter({
      limit: options.messageRateLimit,
      windowMs: MESSAGE_RATE_WINDOW_MS,
      now: deps.now,
    });
    this.#readLimiter = new RateLimiter({
      limit: options.readRateLimit,
      windowMs: READ_RATE_WINDOW_MS,
      now: deps.now,
    });
  }

  /** A page of history, ascending by seq. */
  async list(user: UserRecord, channelId: string, query: HistoryQuery): Promise<WireMessage[]> {
    const { store } = this.deps;
    const channel = await memberChannel(store, this.places, user, channelId);
    const limit = seqParam(query.limit, "limit") ?? MESSAGE_PAGE_DEFAULT;
    if (limit < 1 || limit > MESSAGE_PAGE_MAX) {
      throw new Invalid(
        "invalid_limit",
        `limit must be from 1 to ${MESSAGE_PAGE_MAX}: got ${limit}.`,
      );
    }
    const before = seqParam(query.before, "before");
    const after = seqParam(query.after, "after");
    this.#checkReadBudget(user);
    const messages = await store.listMessages(channel.id, { before, after, limit });
    this.#readLimiter.hit(user.id, messages.length);
    return await withAuthors(store, messages);
  }

  /** A page of a `resume` replay: `after`, counted against the reader's read budget. */
  async replay(
    user: UserRecord,
    channelId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<WireMessage[]> {
    this.#checkReadBudget(user);
    const page = await this.after(channelId, afterSeq, beforeSeq, limit);
    this.#readLimiter.hit(user.id, page.length);
    return page;
  }

  #checkReadBudget(user: UserRecord): void {
    const retryAfterMs = this.#readLimiter.retryAfterMs(user.id);
    if (retryAfterMs > 0) {
      throw new RateLimited(Math.ceil(retryAfterMs / 1000), "You are reading history too fast.");
    }
  }

  /** Messages after `afterSeq` (for resume and gap filling), up to `limit`. */
  async after(
    channelId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<WireMessage[]> {
    const messages = await this.deps.store.listMessages(channelId, {
      after: afterSeq,
      before: beforeSeq,
      limit,
    });
    return await withAuthors(this.deps.store, messages);
  }

  /** One message in the API's shape, or null (bus events sent by reference). */
  async wire(id: string): Promise<WireMessage | null> {
    const message = await this.deps.store.findMessage(id);
    return message ? (await withAuthors(this.deps.store, [message]))[0] : null;
  }

  /**
   * Stores and publishes a message. A repeated nonce returns the first message and publishes
   * nothing. `socketId` is the sending socket, which gets an `ack` instead of the event.
   * `onQueued` runs once the message is in the store's write queue (or the send failed before):
   * the store commits in queue order, so a socket may start its next send then and still have
   * its messages stored in the order it sent them.
   */
  async send(
    user: UserRecord,
    channelId: string,
    input: SendInput,
    socketId?: number,
    onQueued?: () => void,
  ): Promise<SendResult> {
    let appending: Promise<AppendResult>;
    let serverId: string;
    try {
      ({ appending, serverId } = await this.#queue(user, channelId, input));
    } finally {
      onQueued?.();
    }
    let appended;
    try {
      appended = await appending;
    } catch (error) {
      if (error instanceof NotAMemberError) throw new NotFound("not_found", "No such channel.");
      throw error;
    }
    const { message, created } = appended;
    const wire = toWireMessage(message, toWireAuthor(user));
    if (created) {
      this.deps.publish({
        target: { servers: [serverId] },
        event: { type: "message", message: wire },
        order: { channelId: message.channelId, seq: message.seq },
        skipSocket: socketId,
      });
    }
    return { message: wire, created };
  }

  /** Checks a send and puts it in the store's write queue; resolves to the pending append. */
  async #queue(
    user: UserRecord,
    channelId: string,
    input: SendInput,
  ): Promise<{ appending: Promise<AppendResult>; serverId: string }> {
    const content = cleanMessageContent(input.content);
    const nonce = checkNonce(input.nonce);
    // Membership is checked by the append itself (one round trip on the hot path).
    const serverId = await this.#serverOf(channelId);
    const retryAfterMs = this.#sendLimiter.retryAfterMs(user.id);
    if (retryAfterMs > 0) {
      throw new RateLimited(Math.ceil(retryAfterMs / 1000), "You are sending messages too fast.");
    }
    this.#sendLimiter.hit(user.id);
    const appending = this.deps.store.appendMessage({
      // Time-ordered (UUIDv7): each new id lands at the end of the stores' id indexes instead of
      // at a random page (Deno KV's ingest: +26 %, BENCHMARKS.md).
      id: uuidv7(),
      channelId,
      authorId: user.id,
      content,
      createdAt: new Date(this.deps.now()),
      nonce,
    }, serverId);
    // Returned in an object: an async function returning the promise itself would wait for it.
    return { appending, serverId };
  }

  /** The channel's server: remembered (it never changes), or read once. */
  async #serverOf(channelId: string): Promise<string> {
    const known = this.places.serverOf(channelId);
    if (known !== undefined) return known;
    const channel = await this.deps.store.findChannel(channelId);
    if (!channel) throw new NotFound("not_found", "No such channel.");
    this.places.remember(channel.id, channel.serverId);
    return channel.serverId;
  }

  /** Edits a message (its author only). */
  async edit(
    user: UserRecord,
    messageId: string,
    input: { content?: unknown },
  ): Promise<WireMessage> {
    const content = cleanMessageContent(input.content);
    const { message, channel } = await this.#memberMessage(user, messageId);
    if (message.authorId !== user.id) {
      throw new Forbidden("not_author", "Only the author can edit a message.");
    }
    const edited = await this.deps.store.editMessage(
      message.id,
      content,
      new Date(this.deps.now()),
    );
    if (!edited) throw new NotFound("not_found", "No such message.");
    const wire = toWireMessage(edited, toWireAuthor(user));
    this.deps.publish({
      target: { servers: [channel.serverId] },
      event: { type: "message_updated", message: wire },
    });
    return wire;
  }

  /** Deletes a message (its author or the server's owner). */
  async delete(user: UserRecord, messageId: string): Promise<void> {
    const { store, publish } = this.deps;
    const { message, channel } = await this.#memberMessage(user, messageId);
    if (message.authorId !== user.id) {
      const server = await store.findServer(channel.serverId);
      if (server?.ownerId !== user.id) {
        throw new Forbidden(
          "not_allowed",
          "Only the author or the server's owner can delete a message.",
        );
      }
    }
    if (!(await store.deleteMessage(message.id))) return;
    publish({
      target: { servers: [channel.serverId] },
      event: { type: "message_deleted", channelId: message.channelId, id: message.id },
    });
  }

  /**
   * A message the user may see, with its channel. A channel the user may not see makes it
   * "No such message"; any other failure (the store being away) goes up as it is.
   */
  async #memberMessage(
    user: UserRecord,
    messageId: string,
  ): Promise<{ message: MessageRecord; channel: ChannelRecord }> {
    const { store } = this.deps;
    const message = await store.findMessage(messageId);
    if (!message) throw new NotFound("not_found", "No such message.");
    try {
      return { message, channel: await memberChannel(store, this.places, user, message.channelId) };
    } catch (error) {
      if (error instanceof NotFound) throw new NotFound("not_found", "No such message.");
      throw error;
    }
  }
}
