/** Channels: creating one (`manage_channels`) and reading one (those who may view it). */
import type { ChannelRecord, UserRecord } from "../../db/store.ts";
import { ChannelNameTakenError } from "../../db/store.ts";
import { Conflict, Invalid } from "../errors.ts";
import { auditEntry } from "../governance/audit.ts";
import { CHANNELS_PER_SERVER_MAX } from "../limits.ts";
import type { WireChannel } from "../realtime/protocol.ts";
import { cleanChannelName } from "../text.ts";
import { checkChannelKind, checkParent, cleanTopic, nextPosition } from "./channel_input.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberAccess, requireServerPermission, viewableChannel } from "./membership.ts";
import { toWireChannel } from "./shapes.ts";

/** A create's body (API.md): `{name, kind?, parentId?, topic?}`. */
export interface ChannelInput {
  name?: unknown;
  kind?: unknown;
  parentId?: unknown;
  topic?: unknown;
}

export class ChannelService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /** Creates a channel or a category, last among its siblings (`manage_channels`; audited). */
  async create(user: UserRecord, serverId: string, input: ChannelInput): Promise<WireChannel> {
    const { store, publish } = this.deps;
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "manage_channels", "create channels");
    const name = cleanChannelName(input.name);
    const kind = checkChannelKind(input.kind);
    const parentId = checkParent(access, kind, input.parentId);
    const topic = cleanTopic(input.topic);
    if (access.channels().length >= CHANNELS_PER_SERVER_MAX) {
      throw new Invalid(
        "too_many_channels",
        `A server has at most ${CHANNELS_PER_SERVER_MAX} channels and categories.`,
      );
    }
    const now = this.deps.now();
    const channel: ChannelRecord = {
      id: crypto.randomUUID(),
      serverId: access.serverId,
      name,
      createdAt: new Date(now),
      kind,
      parentId,
      topic,
      position: nextPosition(access, parentId),
    };
    const audit = auditEntry(now, {
      serverId: access.serverId,
      action: "channel_create",
      actorId: user.id,
      targetType: "channel",
      targetId: channel.id,
      changes: (["name", "kind", "parentId", "topic", "position"] as const).map((key) => ({
        key,
        old: null,
        new: channel[key],
      })),
    });
    try {
      await store.createChannel(channel, audit);
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
    this.places.remember(channel.id, channel.serverId);
    const wire = toWireChannel(channel);
    // The hub turns this into channel_created for those who may view it (DESIGN.md).
    publish({
      target: { servers: [channel.serverId] },
      event: { type: "channel_created", channel: wire },
    });
    return wire;
  }

  /** A channel the user may view; NotFound otherwise (membership read from the store). */
  async member(user: UserRecord, channelId: string): Promise<ChannelRecord> {
    const { channel } = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm: true,
    });
    return channel;
  }
}
