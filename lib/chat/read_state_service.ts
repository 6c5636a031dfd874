/**
 * Read state: where each reader is in each channel (their read marker) against the channel's
 * latest seq. `ready` and the chat page read it through one store call (`channelStates`), whose
 * round trips do not grow with the number of channels; the permission snapshots then keep only
 * the channels the reader may view, in the servers' channel order.
 */
import type { ServerState, UserRecord } from "../../db/store.ts";
import { Invalid, NotFound } from "../errors.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { ReadyChannel, WireServer } from "../realtime/protocol.ts";
import type { ChannelPlaces } from "./channel_places.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { accessOf, viewableChannel } from "./membership.ts";
import { toWireChannel, toWireServer } from "./shapes.ts";

/** A server with each channel's lastSeq and the reader's readSeq (the `ready` frame's shape). */
export interface ReadyServer {
  server: WireServer;
  channels: ReadyChannel[];
}

type ChannelState = ServerState["channels"][number];

/** The states of the channels `userId` may view, in the snapshot's channel order. */
function viewableStates(
  state: ServerState,
  access: ServerAccess | null,
  userId: string,
): ChannelState[] {
  if (!access) return [];
  const byId = new Map(state.channels.map((entry) => [entry.channel.id, entry]));
  return access.visibleChannels(userId)
    .map((channel) => byId.get(channel.id))
    .filter((entry): entry is ChannelState => entry !== undefined);
}

/** A server's state in the `ready` frame's shape: viewable channels, with their overwrites. */
function toReadyServer(
  state: ServerState,
  access: ServerAccess | null,
  userId: string,
): ReadyServer {
  return {
    server: toWireServer(access?.server ?? state.server),
    channels: viewableStates(state, access, userId).map(({ channel, lastSeq, readSeq }) => ({
      ...toWireChannel(access?.channel(channel.id) ?? channel, access?.overwritesOf(channel.id)),
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
    const { channel } = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm: true,
    });
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
   * the channels the user may view, with lastSeq and readSeq.
   */
  async ready(user: UserRecord, serverIds: string[]): Promise<ReadyServer[]> {
    const [states, snapshots] = await Promise.all([
      this.deps.store.channelStates(user.id, serverIds),
      Promise.all(serverIds.map((id) => accessOf(this.deps.access, id))),
    ]);
    const accessById = new Map(
      snapshots.filter((a): a is ServerAccess => a !== null).map((a) => [a.serverId, a]),
    );
    return await Promise.all(states.map(async (state) => {
      const access = await this.#knowing(accessById.get(state.server.id), state, user);
      return toReadyServer(state, access, user.id);
    }));
  }

  /**
   * The snapshot, reloaded once if it does not know a membership the store just showed (a join
   * heard on another instance first).
   */
  async #knowing(
    access: ServerAccess | undefined,
    state: ServerState,
    user: UserRecord,
  ): Promise<ServerAccess | null> {
    if (access?.isMember(user.id)) return access;
    return await this.deps.access.reload(state.server.id);
  }

  /** Per viewable channel of one server: its latest seq and the user's read marker (members). */
  async ofServer(
    user: UserRecord,
    serverId: string,
  ): Promise<Map<string, { lastSeq: number; readSeq: number }>> {
    const [[state], snapshot] = await Promise.all([
      this.deps.store.channelStates(user.id, [serverId]),
      accessOf(this.deps.access, serverId),
    ]);
    if (!state) throw new NotFound("not_found", "No such server.");
    const access = await this.#knowing(snapshot ?? undefined, state, user);
    return new Map(
      viewableStates(state, access, user.id).map((
        { channel, lastSeq, readSeq },
      ) => [channel.id, { lastSeq, readSeq }]),
    );
  }
}
