/**
 * The visibility rule every chat service shares: a non-member gets NotFound, never another
 * server's data (nor a hint that it exists).
 */
import type { ChannelRecord, ServerRecord, Store, UserRecord } from "../../db/store.ts";
import { NotFound } from "../errors.ts";
import type { ChannelPlaces } from "./channel_places.ts";

/** The server if `user` is a member of it; NotFound otherwise. */
export async function memberServer(
  store: Store,
  user: UserRecord,
  serverId: string,
): Promise<ServerRecord> {
  const server = await store.findServer(serverId);
  if (!server || !(await store.isMember(server.id, user.id))) {
    throw new NotFound("not_found", "No such server.");
  }
  return server;
}

/**
 * The channel if `user` is a member of its server; NotFound otherwise. The channel and the
 * membership are read from the store every time (one parallel pair when the channel's server is
 * known), so a renamed, deleted or left channel is never answered from memory.
 */
export async function memberChannel(
  store: Store,
  places: ChannelPlaces,
  user: UserRecord,
  channelId: string,
): Promise<ChannelRecord> {
  const knownServer = places.serverOf(channelId);
  const [channel, knownMember] = await Promise.all([
    store.findChannel(channelId),
    knownServer === undefined ? undefined : store.isMember(knownServer, user.id),
  ]);
  if (!channel) {
    places.forget(channelId);
    throw new NotFound("not_found", "No such channel.");
  }
  places.remember(channel.id, channel.serverId);
  const member = knownServer === channel.serverId
    ? knownMember
    : await store.isMember(channel.serverId, user.id);
  if (!member) throw new NotFound("not_found", "No such channel.");
  return channel;
}
