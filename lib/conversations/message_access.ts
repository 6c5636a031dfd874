/**
 * A message a user may see, with its channel and its server's snapshot: the first step of every
 * reaction and pin. A message in a channel the user may not view is "No such message".
 *
 * The hot path (reactions: many a second on one message) skips reading the message once its
 * channel is known here (MessagePlaces: a message never moves), so a reaction reads only its
 * membership before its store call; the store's own commit then finds a deleted message gone.
 */
import type { ChannelRecord, MessageRecord, UserRecord } from "../../db/store.ts";
import { NotFound } from "../errors.ts";
import { PLACE_CACHE_SIZE } from "../limits.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { plausibleId, viewableChannel } from "../chat/membership.ts";
import type { ServerAccess } from "../permissions/server_access.ts";

export interface ViewableMessage {
  message: MessageRecord;
  channel: ChannelRecord;
  access: ServerAccess;
}

/** The message if `user` may view its channel; NotFound otherwise. */
export async function viewableMessage(
  deps: ChatDeps,
  places: ChannelPlaces,
  user: UserRecord,
  messageId: string,
): Promise<ViewableMessage> {
  const message = plausibleId(messageId) ? await deps.store.findMessage(messageId) : null;
  if (!message) throw new NotFound("not_found", "No such message.");
  const { channel, access } = await viewableChannel(deps, places, user, message.channelId, {
    confirm: true,
    thing: "message",
  });
  return { message, channel, access };
}

/** The channel of each message seen here, the oldest dropped when full. */
export class MessagePlaces {
  #channelOf = new Map<string, string>();

  constructor(readonly maxSize: number = PLACE_CACHE_SIZE) {}

  channelOf(messageId: string): string | undefined {
    return this.#channelOf.get(messageId);
  }

  remember(messageId: string, channelId: string): void {
    if (!this.#channelOf.has(messageId) && this.#channelOf.size >= this.maxSize) {
      this.#channelOf.delete(this.#channelOf.keys().next().value!);
    }
    this.#channelOf.set(messageId, channelId);
  }

  /** Drops a message found gone. */
  forget(messageId: string): void {
    this.#channelOf.delete(messageId);
  }
}

/** Where a message the user may see is; `known`: not read now (it may be gone since). */
export interface MessagePlace {
  messageId: string;
  channel: ChannelRecord;
  access: ServerAccess;
  known: boolean;
}

/**
 * Like viewableMessage, but without reading the message when MessagePlaces knows its channel
 * (membership is still read from the store, and the rights come from the snapshot, as there).
 */
export async function messagePlace(
  deps: ChatDeps,
  places: ChannelPlaces,
  messages: MessagePlaces,
  user: UserRecord,
  messageId: string,
): Promise<MessagePlace> {
  const known = plausibleId(messageId) ? messages.channelOf(messageId) : undefined;
  if (known === undefined) {
    const { message, channel, access } = await viewableMessage(deps, places, user, messageId);
    messages.remember(message.id, message.channelId);
    return { messageId: message.id, channel, access, known: false };
  }
  const { channel, access } = await viewableChannel(deps, places, user, known, {
    confirm: true,
    thing: "message",
  });
  return { messageId, channel, access, known: true };
}
