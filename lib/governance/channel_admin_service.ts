/**
 * Managing channels and categories (`manage_channels`): renaming, topics, moving them in their
 * category's order or to another category, deleting them. Each change is audited in the same
 * commit (`channel_update`, `channel_delete`) and published: `channel_updated` to those who may
 * view the channel, `channel_deleted` to the server (the hub tells each viewer).
 */
import type { ChannelPatch, ChannelRecord, UserRecord } from "../../db/store.ts";
import { ChannelNameTakenError } from "../../db/store.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { requireChannelPermission, viewableChannel } from "../chat/membership.ts";
import { toWireChannel } from "../chat/shapes.ts";
import { Conflict, NotFound } from "../errors.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { WireChannel } from "../realtime/protocol.ts";
import { cleanChannelName } from "../text.ts";
import { auditEntry, changesOf } from "./audit.ts";
import { checkParent, cleanTopic } from "../chat/channel_input.ts";
import { checkPosition, reorder } from "./channel_fields.ts";

export interface ChannelUpdateInput {
  name?: unknown;
  topic?: unknown;
  position?: unknown;
  parentId?: unknown;
}

export class ChannelAdminService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /**
   * Applies a PATCH. A new `position` (or a move to another category) places the channel at
   * that index of its category's order and renumbers the others 0, 1, 2…, so the order is
   * exactly the one shown; unchanged fields write and publish nothing.
   */
  async update(
    user: UserRecord,
    channelId: string,
    input: ChannelUpdateInput,
  ): Promise<WireChannel> {
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm: true,
    });
    requireChannelPermission(access, user.id, channel.id, "manage_channels", "change this channel");
    const patch = checkPatch(access, channel, input);
    const position = input.position === undefined ? undefined : checkPosition(input.position);
    const moves = position !== undefined ||
      (patch.parentId !== undefined && patch.parentId !== channel.parentId);
    // Moved to another category without a position: it goes to the end there.
    const order = moves ? reorder(access.channels(), { ...channel, ...patch }, position) : [];
    if (moves) patch.position = order.findIndex((c) => c.id === channel.id);
    const changes = changesOf(channel, patch);
    if (changes.length === 0) return toWireChannel(channel, access.overwritesOf(channel.id));
    const audit = auditEntry(this.deps.now(), {
      serverId: channel.serverId,
      action: "channel_update",
      actorId: user.id,
      targetType: "channel",
      targetId: channel.id,
      changes,
    });
    const updated = await this.#update(channel.id, patch, audit);
    if (!updated) throw new NotFound("not_found", "No such channel.");
    const wire = this.#publishUpdated(access, updated);
    await this.#renumber(access, order, channel.id);
    return wire;
  }

  /** Deletes a channel with its messages; a category's channels move to no category. */
  async delete(user: UserRecord, channelId: string): Promise<void> {
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm: true,
    });
    requireChannelPermission(access, user.id, channel.id, "manage_channels", "delete this channel");
    const children = access.channels().filter((c) => c.parentId === channel.id);
    const audit = auditEntry(this.deps.now(), {
      serverId: channel.serverId,
      action: "channel_delete",
      actorId: user.id,
      targetType: "channel",
      targetId: channel.id,
      changes: [{ key: "name", old: channel.name, new: null }],
    });
    if (!(await this.deps.store.deleteChannel(channel.id, audit))) return;
    this.places.forget(channel.id);
    this.deps.publish({
      target: { servers: [channel.serverId] },
      event: { type: "channel_deleted", serverId: channel.serverId, channelId: channel.id },
    });
    for (const child of children) this.#publishUpdated(access, { ...child, parentId: null });
  }

  async #update(
    id: string,
    patch: ChannelPatch,
    audit: Parameters<ChatDeps["store"]["updateChannel"]>[2],
  ): Promise<ChannelRecord | null> {
    try {
      return await this.deps.store.updateChannel(id, patch, audit);
    } catch (error) {
      if (error instanceof ChannelNameTakenError) {
        throw new Conflict(
          "channel_exists",
          `A channel named "${patch.name}" already exists.`,
          "name",
        );
      }
      throw error;
    }
  }

  /** Gives the other channels of the moved one's group their index as position (not audited). */
  async #renumber(access: ServerAccess, order: ChannelRecord[], movedId: string): Promise<void> {
    for (const [index, sibling] of order.entries()) {
      if (sibling.id === movedId || sibling.position === index) continue;
      const updated = await this.deps.store.updateChannel(sibling.id, { position: index }, null);
      if (updated) this.#publishUpdated(access, updated);
    }
  }

  #publishUpdated(access: ServerAccess, channel: ChannelRecord): WireChannel {
    const wire = toWireChannel(channel, access.overwritesOf(channel.id));
    this.deps.publish({
      target: { servers: [channel.serverId], channel: channel.id },
      event: { type: "channel_updated", channel: wire },
    });
    return wire;
  }
}

/** The checked name, topic and parent of a PATCH (the position is placed separately). */
function checkPatch(
  access: ServerAccess,
  channel: ChannelRecord,
  input: ChannelUpdateInput,
): ChannelPatch {
  const patch: ChannelPatch = {};
  if (input.name !== undefined) patch.name = cleanChannelName(input.name);
  if (input.topic !== undefined) patch.topic = cleanTopic(input.topic);
  if (input.parentId !== undefined) {
    patch.parentId = checkParent(access, channel.kind, input.parentId);
  }
  return patch;
}
