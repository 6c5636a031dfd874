/**
 * Messages: history pages, sending, editing and deleting, each published to the viewers of its
 * channel. History needs `view_channel` and `read_history`; sending `send_messages` and no
 * time-out; deleting another's message `manage_messages` (and an audit entry).
 */
import type { AppendResult } from "../../db/append_queue.ts";
import type { ChannelRecord, DmChannelRecord, MessageRecord, UserRecord } from "../../db/store.ts";
import type { DmSendGate } from "../dms/dm_send_gate.ts";
import { isDmChannel } from "../dms/dm_kind.ts";
import { NotAMemberError } from "../../db/store.ts";
import { InvalidAttachmentError } from "../../db/attachment_store.ts";
import { v7 as uuidv7 } from "uuid";
import { Forbidden, Invalid, NotFound, RateLimited } from "../errors.ts";
import { auditEntry } from "../governance/audit.ts";
import {
  MESSAGE_PAGE_DEFAULT,
  MESSAGE_PAGE_MAX,
  MESSAGE_RATE_WINDOW_MS,
  READ_RATE_WINDOW_MS,
} from "../limits.ts";
import { memoryRateLimits } from "../rate_limits/rate_limits.ts";
import type { RateLimitBackend, WindowLimit } from "../rate_limits/rate_limits.ts";
import type { WireMessage } from "../realtime/protocol.ts";
import { checkNonce, cleanMessageContent } from "../text.ts";
import { decorateMessages, withConversation } from "../conversations/decoration.ts";
import { resolveMentions } from "../conversations/mentions.ts";
import { replyPreview } from "../conversations/reply_preview.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import {
  holdsInChannel,
  plausibleId,
  requireChannelPermission,
  requireNotTimedOut,
  viewableChannel,
} from "./membership.ts";
import { toWireAuthor, toWireMessage, unknownAuthor } from "./shapes.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { AttachmentService } from "../attachments/upload_service.ts";
import { attachmentIds, invalidAttachment } from "../attachments/upload_service.ts";

export interface SendInput {
  content?: unknown;
  nonce?: unknown;
  /** The id of the message this one replies to (same channel). */
  replyTo?: unknown;
  /** Ids of the sender's unsent uploads to this channel (then `content` may be empty). */
  attachments?: unknown;
}

export interface SendResult {
  message: WireMessage;
  /** False when the nonce was seen before and the first message is returned. */
  created: boolean;
}

export interface HistoryQuery {
  before?: string;
  after?: string;
  /** A seq: the page centred on it (API.md "Precisions"). */
  around?: string;
  limit?: string;
}

export interface MessageServiceOptions {
  /** Messages per user per 10 s (0: off). */
  messageRateLimit: number;
  /** Messages read per user per 10 s, HTTP and resume together (0: off). */
  readRateLimit: number;
  /** Where the counts live (default: this process's memory, on `deps.now`). */
  rateLimits?: RateLimitBackend;
  /** Checks the attachments a send names (none: sends with attachments are refused). */
  attachments?: AttachmentService;
  /** What a send into a DM checks (lib/dms/dm_send_gate.ts). */
  dms?: DmSendGate;
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

/** What sending (and typing) needs in a viewable channel: `send_messages`, and no time-out. */
export function checkSend(
  access: ServerAccess,
  user: UserRecord,
  channelId: string,
  now: number,
): void {
  requireChannelPermission(
    access,
    user.id,
    channelId,
    "send_messages",
    "send messages in this channel",
  );
  requireNotTimedOut(access, user.id, now);
}

export class MessageService {
  #sendLimiter: WindowLimit;
  #readLimiter: WindowLimit;
  #attachments: AttachmentService | undefined;
  #dms: DmSendGate | undefined;

  constructor(
    readonly deps: ChatDeps,
    readonly places: ChannelPlaces,
    options: MessageServiceOptions,
  ) {
    this.#attachments = options.attachments;
    this.#dms = options.dms;
    const limits = options.rateLimits ?? memoryRateLimits(deps.now);
    // Both fail open: they keep one user from hogging the server; with Redis away, chat goes on.
    this.#sendLimiter = limits.window({
      name: "message",
      limit: options.messageRateLimit,
      windowMs: MESSAGE_RATE_WINDOW_MS,
      failOpen: true,
    });
    this.#readLimiter = limits.window({
      name: "read",
      limit: options.readRateLimit,
      windowMs: READ_RATE_WINDOW_MS,
      failOpen: true,
    });
  }

  /**
   * The channel if `user` may read its history (`view_channel` and `read_history`): NotFound or
   * `403 missing_permissions` otherwise. Pages, resume replays and resume convergence all pass
   * here. `confirm`: also read membership from the store (see membership.ts).
   */
  async readable(user: UserRecord, channelId: string, confirm = true): Promise<ChannelRecord> {
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm,
    });
    requireChannelPermission(
      access,
      user.id,
      channel.id,
      "read_history",
      "read this channel's history",
    );
    return channel;
  }

  /** A page of history, ascending by seq. */
  async list(user: UserRecord, channelId: string, query: HistoryQuery): Promise<WireMessage[]> {
    const { store } = this.deps;
    const channel = await this.readable(user, channelId);
    const limit = seqParam(query.limit, "limit") ?? MESSAGE_PAGE_DEFAULT;
    if (limit < 1 || limit > MESSAGE_PAGE_MAX) {
      throw new Invalid(
        "invalid_limit",
        `limit must be from 1 to ${MESSAGE_PAGE_MAX}: got ${limit}.`,
      );
    }
    const before = seqParam(query.before, "before");
    const after = seqParam(query.after, "after");
    const around = seqParam(query.around, "around");
    await this.#checkReadBudget(user);
    const messages = around === undefined
      ? await store.listMessages(channel.id, { before, after, limit })
      : await this.#around(channel.id, around, limit);
    await this.#readLimiter.hit(user.id, messages.length);
    return await decorateMessages(store, messages, user.id);
  }

  /**
   * `limit` messages with `seq` at index ⌊limit/2⌋ (fewer at the channel's ends): the older
   * half up to and with the seq, and the newer half after it, read at once.
   */
  async #around(channelId: string, seq: number, limit: number): Promise<MessageRecord[]> {
    const older = Math.floor(limit / 2) + 1;
    const [upto, newer] = await Promise.all([
      this.deps.store.listMessages(channelId, { before: seq + 1, limit: older }),
      limit - older > 0
        ? this.deps.store.listMessages(channelId, { after: seq, limit: limit - older })
        : Promise.resolve([]),
    ]);
    return [...upto, ...newer];
  }

  /**
   * A page of a `resume` replay: `after`, counted against the reader's read budget. Needs
   * `read_history` like a page (checked on the snapshot: the socket confirmed membership).
   */
  async replay(
    user: UserRecord,
    channelId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<WireMessage[]> {
    await this.readable(user, channelId, false);
    await this.#checkReadBudget(user);
    const messages = await this.deps.store.listMessages(channelId, {
      after: afterSeq,
      before: beforeSeq,
      limit,
    });
    await this.#readLimiter.hit(user.id, messages.length);
    return await decorateMessages(this.deps.store, messages, user.id);
  }

  async #checkReadBudget(user: UserRecord): Promise<void> {
    const retryAfterMs = await this.#readLimiter.retryAfterMs(user.id);
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
    return await decorateMessages(this.deps.store, messages, null);
  }

  /** One message in the API's shape, or null (bus events sent by reference). */
  async wire(id: string): Promise<WireMessage | null> {
    const message = await this.deps.store.findMessage(id);
    return message ? (await decorateMessages(this.deps.store, [message], null))[0] : null;
  }

  /** Messages by id in the API's shape for one reader (`me` theirs), in no particular order. */
  async wireMany(ids: string[], readerId: string | null): Promise<WireMessage[]> {
    if (ids.length === 0) return [];
    return await decorateMessages(
      this.deps.store,
      await this.deps.store.findMessages(ids),
      readerId,
    );
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
    let original: MessageRecord | undefined;
    let dm: DmChannelRecord | undefined;
    try {
      ({ appending, serverId, original, dm } = await this.#queue(user, channelId, input));
    } finally {
      onQueued?.();
    }
    let appended;
    try {
      appended = await appending;
    } catch (error) {
      if (error instanceof NotAMemberError) throw new NotFound("not_found", "No such channel.");
      // Already sent with another message (or removed meanwhile): checked in the append's commit.
      if (error instanceof InvalidAttachmentError) throw invalidAttachment(error.attachmentId);
      throw error;
    }
    const { message, created } = appended;
    // A repeated nonce answers with the first message as it now stands (reactions, pin…).
    const wire = created
      ? await this.#sentWire(user, message, original)
      : (await decorateMessages(this.deps.store, [message], user.id))[0];
    // Members who had closed the DM get it back before the message.
    if (created && dm) await this.#dms?.sent(dm);
    if (created) {
      this.deps.publish({
        target: { servers: [serverId], channel: message.channelId },
        event: { type: "message", message: wire },
        order: { channelId: message.channelId, seq: message.seq },
        skipSocket: socketId,
      });
    }
    return { message: wire, created };
  }

  /**
   * A just-sent message in the API's shape: nothing reacted to or pinned yet, so only the
   * original replied to (read at send already) and its author are looked up.
   */
  async #sentWire(
    user: UserRecord,
    message: MessageRecord,
    original: MessageRecord | undefined,
  ): Promise<WireMessage> {
    const originalAuthor = original && original.authorId !== user.id
      ? (await this.deps.store.findUsersByIds([original.authorId]))[0]
      : user;
    return withConversation(toWireMessage(message, toWireAuthor(user)), message, {
      replyTo: replyPreview(
        message.replyToId,
        original,
        (id) => originalAuthor?.id === id ? toWireAuthor(originalAuthor) : unknownAuthor(id),
      ),
      reactions: [],
      pinned: false,
    });
  }

  /** The message a send replies to: in the same channel, else `400 invalid_reply`. */
  async #original(replyTo: unknown, channelId: string): Promise<MessageRecord | undefined> {
    if (replyTo === undefined || replyTo === null) return undefined;
    const original = typeof replyTo === "string" && plausibleId(replyTo)
      ? await this.deps.store.findMessage(replyTo)
      : null;
    if (!original || original.channelId !== channelId) {
      throw new Invalid(
        "invalid_reply",
        "replyTo must be the id of a message in the same channel.",
        "replyTo",
      );
    }
    return original;
  }

  /** Checks a send and puts it in the store's write queue; resolves to the pending append. */
  async #queue(
    user: UserRecord,
    channelId: string,
    input: SendInput,
  ): Promise<
    {
      appending: Promise<AppendResult>;
      serverId: string;
      original: MessageRecord | undefined;
      dm?: DmChannelRecord;
    }
  > {
    const named = attachmentIds(input.attachments);
    // With files, the text is optional.
    const content = named.length > 0 && isBlank(input.content)
      ? ""
      : cleanMessageContent(input.content);
    const nonce = checkNonce(input.nonce);
    // In memory when the snapshot is loaded; membership is checked again by the append itself
    // (one round trip on the hot path).
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId);
    checkSend(access, user, channel.id, this.deps.now());
    // A DM is in no server: its membership and blocks are read here instead (dm_send_gate.ts).
    const dm = isDmChannel(channel) ? await this.#dms?.check(user, channel) : undefined;
    const serverId = channel.serverId;
    const retryAfterMs = await this.#sendLimiter.take(user.id);
    if (retryAfterMs > 0) {
      throw new RateLimited(Math.ceil(retryAfterMs / 1000), "You are sending messages too fast.");
    }
    // Both only when the message asks for them: a plain send reads nothing more.
    const [original, mentions, attachments] = await Promise.all([
      this.#original(input.replyTo, channel.id),
      resolveMentions(this.deps.store, access, user.id, channel.id, content),
      this.#attachmentsOf(user, channel.id, named),
    ]);
    const appending = this.deps.store.appendMessage({
      // Time-ordered (UUIDv7): each new id lands at the end of the stores' id indexes instead of
      // at a random page (Deno KV's ingest: +26 %, BENCHMARKS.md).
      id: uuidv7(),
      channelId,
      authorId: user.id,
      content,
      createdAt: new Date(this.deps.now()),
      nonce,
      replyToId: original?.id ?? null,
      mentions,
      ...(attachments.length > 0 ? { attachments } : {}),
    }, isDmChannel(channel) ? undefined : serverId);
    // Returned in an object: an async function returning the promise itself would wait for it.
    return { appending, serverId, original, dm };
  }

  /** The attachments a send names, checked (none named: no read). */
  async #attachmentsOf(user: UserRecord, channelId: string, ids: string[]) {
    if (ids.length === 0) return [];
    if (!this.#attachments) throw invalidAttachment(ids[0]);
    return await this.#attachments.forSend(user, channelId, ids);
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
    // The event carries the full current state (reactions, pin) with `me: false`.
    const [forAll, forEditor] = await Promise.all([
      decorateMessages(this.deps.store, [edited], null),
      decorateMessages(this.deps.store, [edited], user.id),
    ]);
    this.deps.publish({
      target: { servers: [channel.serverId], channel: channel.id },
      event: { type: "message_updated", message: forAll[0] },
    });
    return forEditor[0];
  }

  /** Deletes a message: its author's own, or anyone's with `manage_messages` (audited). */
  async delete(user: UserRecord, messageId: string): Promise<void> {
    const { store, publish } = this.deps;
    const { message, channel, access } = await this.#memberMessage(user, messageId);
    let audit = null;
    if (message.authorId !== user.id) {
      if (!holdsInChannel(access, user.id, channel.id, "manage_messages")) {
        throw new Forbidden(
          "missing_permissions",
          "You need the manage_messages permission to delete other people's messages.",
        );
      }
      audit = auditEntry(this.deps.now(), {
        serverId: channel.serverId,
        action: "message_delete",
        actorId: user.id,
        targetType: "message",
        targetId: message.id,
        changes: [
          { key: "channelId", old: channel.id, new: null },
          { key: "authorId", old: message.authorId, new: null },
        ],
      });
    }
    if (!(await store.deleteMessage(message.id, audit))) return;
    publish({
      target: { servers: [channel.serverId], channel: channel.id },
      event: { type: "message_deleted", channelId: message.channelId, id: message.id },
    });
  }

  /**
   * A message the user may see, with its channel and its server's snapshot. A channel the user
   * may not view makes it "No such message"; any other failure (the store being away) goes up
   * as it is.
   */
  async #memberMessage(
    user: UserRecord,
    messageId: string,
  ): Promise<{ message: MessageRecord; channel: ChannelRecord; access: ServerAccess }> {
    const message = plausibleId(messageId) ? await this.deps.store.findMessage(messageId) : null;
    if (!message) throw new NotFound("not_found", "No such message.");
    const { channel, access } = await viewableChannel(
      this.deps,
      this.places,
      user,
      message.channelId,
      { confirm: true, thing: "message" },
    );
    return { message, channel, access };
  }
}

/** No text: absent, or only white space. */
function isBlank(content: unknown): boolean {
  return content === undefined || content === null ||
    (typeof content === "string" && content.trim() === "");
}
