/** Typing indicators: relayed to the channel's members, never stored. */
import type { UserRecord } from "../../db/store.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberChannel } from "./membership.ts";
import { toWireAuthor } from "./shapes.ts";

export class TypingService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /** Tells the channel's members that `user` is typing (not the typing socket itself). */
  async start(user: UserRecord, channelId: string, socketId?: number): Promise<void> {
    const channel = await memberChannel(this.deps.store, this.places, user, channelId);
    this.deps.publish({
      target: { servers: [channel.serverId] },
      event: { type: "typing", channelId: channel.id, user: toWireAuthor(user) },
      skipSocket: socketId,
    });
  }
}
