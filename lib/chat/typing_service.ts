/** Typing indicators: relayed to the channel's viewers, never stored. */
import type { UserRecord } from "../../db/store.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { viewableChannel } from "./membership.ts";
import { checkSend } from "./message_service.ts";
import { toWireAuthor } from "./shapes.ts";

export class TypingService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /**
   * Tells the channel's viewers that `user` is typing (not the typing socket itself). Only who
   * may send there may type: checked in memory, like a send.
   */
  async start(user: UserRecord, channelId: string, socketId?: number): Promise<void> {
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId);
    checkSend(access, user, channel.id, this.deps.now());
    this.deps.publish({
      target: { servers: [channel.serverId], channel: channel.id },
      event: { type: "typing", channelId: channel.id, user: toWireAuthor(user) },
      skipSocket: socketId,
    });
  }
}
