/**
 * Read state: where each reader is in each channel (their read marker) against the channel's
 * latest seq. `ready` and the chat page read it through one store call (`channelStates`), whose
 * round trips do not grow with the number of channels.
 */
import type { ServerState, UserRecord } from "../../db/store.ts";
import { Invalid, NotFound } from "../errors.ts";
import type { ReadyChannel, WireServer } from "../realtime/protocol.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberChannel } from "./membership.ts";
import { toWireChannel, toWireServer } from "./shapes.ts";

/** A server with each channel's lastSeq and the reader's readSeq (the `ready` frame's shape). */
export interface ReadyServer {
  server: WireServer;
  channels: ReadyChannel[];
}

/** A server's state in the `ready` frame's shape. */
function toReadyServer({ server, channels }: ServerState): ReadyServer {
  return {
    server: toWireServer(server),
    channels: channels.map(({ channel, lastSeq, readSeq }) => ({
      ...toWireChannel(channel),
      lastSeq,
      readSeq,
    })),
  };
}

export class ReadStateService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /** Moves the user's read marker (never past the channel's end); their other sockets hear it. */
  async mark(user: UserRecord, channelId: string, input: { seq?: unknown }): Promise<number> {
    if (typeof input.seq !== "number" || !Number.isSafeInteger(input.seq) || input.seq < 0) {
      throw new Invalid("invalid_seq", "seq must be a whole number, 0 or more.", "seq");
    }
    const { store } = this.deps;
    const channel = await memberChannel(store, this.places, user, channelId);
    const last = await store.lastSeq(channel.id);
    const seq = await store.setReadMarker(user.id, channel.id, Math.min(input.seq, last));
    this.deps.publish({
      target: { user: user.id },
      event: { type: "read", channelId: channel.id, seq },
    });
    return seq;
  }

  /**
   * What `ready` carries for these servers (those the user is a member of, in this order):
   * channels with lastSeq and readSeq.
   */
  async ready(user: UserRecord, serverIds: string[]): Promise<ReadyServer[]> {
    return (await this.deps.store.channelStates(user.id, serverIds)).map(toReadyServer);
  }

  /** Per channel of one server: its latest seq and the user's read marker (members only). */
  async ofServer(
    user: UserRecord,
    serverId: string,
  ): Promise<Map<string, { lastSeq: number; readSeq: number }>> {
    const [state] = await this.deps.store.channelStates(user.id, [serverId]);
    if (!state) throw new NotFound("not_found", "No such server.");
    return new Map(
      state.channels.map(({ channel, lastSeq, readSeq }) => [channel.id, { lastSeq, readSeq }]),
    );
  }
}
