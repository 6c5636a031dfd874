/**
 * Reactions (API.md "Conversations"): one canonical form per emoji (emoji.ts), an idempotent
 * PUT that publishes only when something changed, at most MESSAGE_REACTIONS_MAX distinct emoji
 * per message (checked by the store in the commit that adds one). Reacting needs
 * `add_reactions` and no time-out; removing someone else's reaction needs `manage_messages`.
 */
import type { UserRecord } from "../../db/store.ts";
import { TooManyReactionsError } from "../../db/conversation_store.ts";
import { Invalid, NotFound } from "../errors.ts";
import {
  MESSAGE_REACTIONS_MAX,
  REACTION_USERS_PAGE_DEFAULT,
  REACTION_USERS_PAGE_MAX,
} from "../limits.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { usersInOrder } from "../chat/authors.ts";
import { plausibleId, requireChannelPermission, requireNotTimedOut } from "../chat/membership.ts";
import { toPublicUser } from "../public_user.ts";
import type { PublicUser } from "../public_user.ts";
import { canonicalEmoji } from "./emoji.ts";
import {
  type MessagePlace,
  messagePlace,
  MessagePlaces,
  type ViewableMessage,
  viewableMessage,
} from "./message_access.ts";

export interface ReactionUsersQuery {
  after?: string;
  limit?: string;
}

export class ReactionService {
  /** Each message's channel: a reaction then reads no message (see messagePlace). */
  #messages = new MessagePlaces();

  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  #place(user: UserRecord, messageId: string): Promise<MessagePlace> {
    return messagePlace(this.deps, this.places, this.#messages, user, messageId);
  }

  /** Adds the user's reaction (idempotent: a repeat publishes nothing). */
  async add(user: UserRecord, messageId: string, rawEmoji: string): Promise<void> {
    const seen = await this.#place(user, messageId);
    const { channel, access } = seen;
    requireChannelPermission(access, user.id, channel.id, "add_reactions", "add reactions");
    requireNotTimedOut(access, user.id, this.deps.now());
    const emoji = await this.#emoji(seen, rawEmoji);
    let added;
    try {
      added = await this.deps.store.addReaction(
        seen.messageId,
        emoji,
        user.id,
        new Date(this.deps.now()),
        MESSAGE_REACTIONS_MAX,
      );
    } catch (error) {
      if (!(error instanceof TooManyReactionsError)) throw error;
      throw new Invalid(
        "too_many_reactions",
        `A message has at most ${MESSAGE_REACTIONS_MAX} different reactions.`,
      );
    }
    if (added === null) {
      this.#messages.forget(seen.messageId);
      throw new NotFound("not_found", "No such message.");
    }
    if (added) this.#publish(seen, "reaction_added", emoji, user.id);
  }

  /** Removes the user's own reaction (204 even if there was none: nothing is published). */
  async removeOwn(user: UserRecord, messageId: string, rawEmoji: string): Promise<void> {
    const seen = await this.#place(user, messageId);
    await this.#remove(seen, await this.#emoji(seen, rawEmoji, true), user.id);
  }

  /** Removes someone's reaction (`manage_messages`). */
  async removeOther(
    user: UserRecord,
    messageId: string,
    rawEmoji: string,
    userId: string,
  ): Promise<void> {
    const seen = await this.#place(user, messageId);
    if (userId !== user.id) {
      requireChannelPermission(
        seen.access,
        user.id,
        seen.channel.id,
        "manage_messages",
        "remove other people's reactions",
      );
    }
    if (!plausibleId(userId)) throw new NotFound("not_found", "No such user.");
    await this.#remove(seen, await this.#emoji(seen, rawEmoji, true), userId);
  }

  /** Who reacted with an emoji, in the order they did (`after`: a user id, exclusive). */
  async users(
    user: UserRecord,
    messageId: string,
    rawEmoji: string,
    query: ReactionUsersQuery,
  ): Promise<PublicUser[]> {
    const seen = await viewableMessage(this.deps, this.places, user, messageId);
    const emoji = await this.#emoji(seen, rawEmoji, true);
    const limit = pageLimit(query.limit);
    const after = query.after === undefined || query.after === "" ? undefined : query.after;
    if (after !== undefined && !plausibleId(after)) {
      throw new Invalid("invalid_cursor", "after must be a user id.");
    }
    const ids = await this.deps.store.listReactionUsers(seen.message.id, emoji, after, limit);
    return (await usersInOrder(this.deps.store, ids)).map(toPublicUser);
  }

  async #remove(seen: MessagePlace, emoji: string, userId: string): Promise<void> {
    const removed = await this.deps.store.removeReaction(
      seen.messageId,
      emoji,
      userId,
      new Date(this.deps.now()),
    );
    if (removed) this.#publish(seen, "reaction_removed", emoji, userId);
    else if (seen.known && !(await this.deps.store.findMessage(seen.messageId))) {
      // Nothing removed, and the message was not read: a deleted one is "No such message".
      this.#messages.forget(seen.messageId);
      throw new NotFound("not_found", "No such message.");
    }
  }

  /**
   * The canonical emoji. `removing`: a custom emoji deleted since may still be taken off (its
   * name is then only checked for form).
   */
  async #emoji(seen: MessagePlace | ViewableMessage, raw: string, removing = false) {
    return await canonicalEmoji(raw, async () => {
      const emojis = await this.deps.store.listEmojis(seen.channel.serverId);
      const names = new Set(emojis.map((e) => e.name));
      if (removing && /^:[a-z0-9_]{2,32}:$/.test(raw)) names.add(raw.slice(1, -1));
      return names;
    });
  }

  #publish(
    seen: MessagePlace,
    type: "reaction_added" | "reaction_removed",
    emoji: string,
    userId: string,
  ): void {
    const { channel, messageId } = seen;
    this.deps.publish({
      target: { servers: [channel.serverId], channel: channel.id },
      event: { type, channelId: channel.id, messageId, emoji, userId },
    });
  }
}

/** `limit` of a page of reaction users. */
function pageLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return REACTION_USERS_PAGE_DEFAULT;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= REACTION_USERS_PAGE_MAX)) {
    throw new Invalid(
      "invalid_limit",
      `limit must be from 1 to ${REACTION_USERS_PAGE_MAX}: got "${raw.slice(0, 20)}".`,
    );
  }
  return limit;
}
