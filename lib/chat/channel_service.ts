/** Channels: creating one (the owner) and reading one (its server's members). */
import type { ChannelRecord, UserRecord } from "../../db/store.ts";
import { ChannelNameTakenError } from "../../db/store.ts";
import { Conflict, Forbidden } from "../errors.ts";
import type { WireChannel } from "../realtime/protocol.ts";
import { cleanChannelName } from "../text.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberChannel, memberServer } from "./membership.ts";
import { toWireChannel } from "./shapes.ts";

export class ChannelService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /** Creates a channel (server owner only). */
  async create(
    user: UserRecord,
    serverId: string,
    input: { name?: unknown },
  ): Promise<WireChannel> {
    const { store, publish } = this.deps;
    const server = await memberServer(store, user, serverId);
    if (server.ownerId !== user.id) {
      throw new Forbidden("not_owner", "Only the server's owner can create channels.");
    }
    const channel: ChannelRecord = {
      id: crypto.randomUUID(),
      serverId: server.id,
      name: cleanChannelName(input.name),
      createdAt: new Date(this.deps.now()),
    };
    try {
      await store.createChannel(channel);
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
    publish({
      target: { servers: [server.id] },
      event: { type: "channel_created", channel: wire },
    });
    return wire;
  }

  /** A channel the user may see (read from the store); NotFound otherwise. */
  member(user: UserRecord, channelId: string): Promise<ChannelRecord> {
    return memberChannel(this.deps.store, this.places, user, channelId);
  }
}
