/**
 * Pins (API.md "Conversations"): pin and unpin need `manage_messages` and are audited
 * (`message_pin` / `message_unpin`); a channel's pins list newest first with who pinned and
 * when, no cap. A repeated pin (or an unpin of what is not pinned) publishes nothing.
 */
import type { UserRecord } from "../../db/store.ts";
import { NotFound } from "../errors.ts";
import { auditEntry } from "../governance/audit.ts";
import { isDmChannel } from "../dms/dm_kind.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { requireChannelPermission, viewableChannel } from "../chat/membership.ts";
import type { WirePin } from "../realtime/protocol.ts";
import { decorateMessages } from "./decoration.ts";
import { viewableMessage } from "./message_access.ts";
import type { ViewableMessage } from "./message_access.ts";

export class PinService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /** Pins a message of the channel. */
  async pin(user: UserRecord, channelId: string, messageId: string): Promise<void> {
    const seen = await this.#pinnable(user, channelId, messageId);
    const at = this.deps.now();
    const pinned = await this.deps.store.pinMessage(
      {
        channelId: seen.channel.id,
        messageId: seen.message.id,
        pinnedBy: user.id,
        pinnedAt: new Date(at),
      },
      this.#audit(seen, user, "message_pin", at),
    );
    if (pinned) this.#publish(seen, "message_pinned", user.id);
  }

  /** Unpins a message of the channel. */
  async unpin(user: UserRecord, channelId: string, messageId: string): Promise<void> {
    const seen = await this.#pinnable(user, channelId, messageId);
    const at = this.deps.now();
    const unpinned = await this.deps.store.unpinMessage(
      seen.channel.id,
      seen.message.id,
      new Date(at),
      this.#audit(seen, user, "message_unpin", at),
    );
    if (unpinned) this.#publish(seen, "message_unpinned", user.id);
  }

  /** The channel's pins, newest first, each with its message as the reader sees it. */
  async list(user: UserRecord, channelId: string): Promise<WirePin[]> {
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm: true,
    });
    requireChannelPermission(
      access,
      user.id,
      channel.id,
      "read_history",
      "read this channel's history",
    );
    const pins = await this.deps.store.listPins(channel.id);
    const records = await this.deps.store.findMessages(pins.map((p) => p.messageId));
    const messages = new Map(
      (await decorateMessages(this.deps.store, records, user.id)).map((m) => [m.id, m]),
    );
    return pins.flatMap((pin) => {
      const message = messages.get(pin.messageId);
      return message
        ? [{ message, pinnedBy: pin.pinnedBy, pinnedAt: pin.pinnedAt.toISOString() }]
        : [];
    });
  }

  /** The message, in that channel, for a user holding `manage_messages` there. */
  async #pinnable(
    user: UserRecord,
    channelId: string,
    messageId: string,
  ): Promise<ViewableMessage> {
    const seen = await viewableMessage(this.deps, this.places, user, messageId);
    if (seen.channel.id !== channelId) throw new NotFound("not_found", "No such message.");
    // In a DM every member may pin (as on Discord), without an audit log (there is no server).
    if (isDmChannel(seen.channel)) return seen;
    requireChannelPermission(
      seen.access,
      user.id,
      seen.channel.id,
      "manage_messages",
      "pin messages",
    );
    return seen;
  }

  #audit(
    seen: ViewableMessage,
    user: UserRecord,
    action: "message_pin" | "message_unpin",
    at: number,
  ) {
    if (isDmChannel(seen.channel)) return null;
    return auditEntry(at, {
      serverId: seen.channel.serverId,
      action,
      actorId: user.id,
      targetType: "message",
      targetId: seen.message.id,
      changes: [{ key: "channelId", old: null, new: seen.channel.id }],
    });
  }

  #publish(seen: ViewableMessage, type: "message_pinned" | "message_unpinned", by: string): void {
    this.deps.publish({
      target: { servers: [seen.channel.serverId], channel: seen.channel.id },
      event: { type, channelId: seen.channel.id, messageId: seen.message.id, by },
    });
  }
}
