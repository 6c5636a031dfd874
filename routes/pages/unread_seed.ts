/**
 * The unread state a chat page starts with, for every channel of every server of the reader
 * (so the rail shows other servers' counts before the socket's `ready`, which carries no
 * mention counts, and after it, which keeps them): counts from the read markers, and mentions
 * of the reader (the messages' stored `mentions`) among the unread messages (the last page of them at most: a badge says "99+"
 * long before that matters). Mentions are counted in at most UNREAD_SEED_MENTION_CHANNELS_MAX
 * unread channels, the shown server's first, so a page costs a bounded number of reads.
 */
import type { UserRecord } from "../../db/store.ts";
import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { mentionsReader } from "../../islands/shared/mentions.ts";
import type { ReadyServer } from "../../lib/chat/chat_service.ts";
import { MESSAGE_PAGE_MAX, UNREAD_SEED_MENTION_CHANNELS_MAX } from "../../lib/limits.ts";
import type { AppDeps } from "../deps.ts";

/** The seed for `states` (every server of `user`, as `chat.reads.ready` gives them). */
export async function unreadSeed(
  chat: AppDeps["chat"],
  user: UserRecord,
  states: ReadyServer[],
  shownServerId: string,
): Promise<UnreadMap> {
  const seed: UnreadMap = {};
  for (const { server, channels } of states) {
    for (const { id, lastSeq, readSeq } of channels) {
      seed[id] = { serverId: server.id, lastSeq, readSeq, mentions: 0 };
    }
  }
  const unreadChannels = Object.entries(seed)
    .filter(([, state]) => state.lastSeq > state.readSeq)
    .sort(([, a], [, b]) =>
      Number(b.serverId === shownServerId) - Number(a.serverId === shownServerId)
    )
    .slice(0, UNREAD_SEED_MENTION_CHANNELS_MAX);
  // `states` came from the user's own memberships (channelStates), so the channels are theirs;
  // reading them through `after` keeps this seed off the user's read budget (a page load with
  // many unread channels must not spend it and answer 429).
  await Promise.all(unreadChannels.map(async ([channelId, state]) => {
    const page = await chat.messages.after(
      channelId,
      Math.max(state.readSeq, state.lastSeq - MESSAGE_PAGE_MAX),
      undefined,
      MESSAGE_PAGE_MAX,
    );
    state.mentions = page.filter((message) =>
      message.author.id !== user.id && mentionsReader(message, user)
    ).length;
  }));
  return seed;
}
