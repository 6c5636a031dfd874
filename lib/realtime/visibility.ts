/**
 * Who sees which channels, before and after an access change: the hub records each local
 * user's visible channels, applies the event, and tells each user what appeared and went
 * (`channel_created` / `channel_deleted`), so a role or overwrite change looks to a client
 * exactly like a channel being created or deleted.
 */
import { toWireChannel } from "../chat/shapes.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { ServerEvent } from "./protocol.ts";
import type { Subscriber } from "./subscriber.ts";

/** User id → the ids of the channels that user may view. */
export type Visible = Map<string, Set<string>>;

/** The distinct users of these sockets. */
export function usersOf(sockets: Iterable<Subscriber>): Set<string> {
  const users = new Set<string>();
  for (const socket of sockets) users.add(socket.userId);
  return users;
}

/** The channels each of `userIds` may view in the snapshot. */
export function visibleOf(access: ServerAccess, userIds: Iterable<string>): Visible {
  const visible: Visible = new Map();
  for (const userId of userIds) {
    visible.set(userId, new Set(access.visibleChannels(userId).map((channel) => channel.id)));
  }
  return visible;
}

/**
 * What each user of `before` must be told now: `channel_created` for each channel they may
 * view and did not, `channel_deleted` for each they did and may not; each frame serialised once.
 */
export function visibilityChanges(access: ServerAccess, before: Visible): Map<string, string[]> {
  const texts = new Map<string, string>();
  const frame = (key: string, event: () => ServerEvent) => {
    let text = texts.get(key);
    if (text === undefined) texts.set(key, text = JSON.stringify(event()));
    return text;
  };
  const changes = new Map<string, string[]>();
  for (const [userId, seen] of before) {
    const frames: string[] = [];
    const now = new Set<string>();
    for (const channel of access.visibleChannels(userId)) {
      now.add(channel.id);
      if (seen.has(channel.id)) continue;
      frames.push(frame(`+${channel.id}`, () => ({
        type: "channel_created",
        channel: toWireChannel(channel, access.overwritesOf(channel.id)),
      })));
    }
    for (const channelId of seen) {
      if (now.has(channelId)) continue;
      frames.push(frame(`-${channelId}`, () => ({
        type: "channel_deleted",
        serverId: access.serverId,
        channelId,
      })));
    }
    if (frames.length > 0) changes.set(userId, frames);
  }
  return changes;
}
