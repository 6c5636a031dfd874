/**
 * The unread state a chat page starts with, for the channels of the server it shows: counts from
 * the read markers, and mentions of the reader among the unread messages (the last page of them
 * at most: a badge says "99+" long before that matters). Other servers fill in from `ready`.
 */
import type { UserRecord } from "../../db/store.ts";
import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { mentions } from "../../islands/shared/mentions.ts";
import { MESSAGE_PAGE_MAX } from "../../lib/limits.ts";
import type { AppDeps } from "../deps.ts";

export async function unreadSeed(
  chat: AppDeps["chat"],
  user: UserRecord,
  serverId: string,
  reads: Map<string, { lastSeq: number; readSeq: number }>,
): Promise<UnreadMap> {
  const entries = await Promise.all([...reads].map(async ([channelId, { lastSeq, readSeq }]) => {
    let mentioned = 0;
    if (lastSeq > readSeq) {
      const page = await chat.listMessages(user, channelId, {
        after: String(Math.max(readSeq, lastSeq - MESSAGE_PAGE_MAX)),
        limit: String(MESSAGE_PAGE_MAX),
      });
      mentioned = page.filter((message) =>
        message.author.id !== user.id && mentions(message.content, user.username)
      ).length;
    }
    return [channelId, { serverId, lastSeq, readSeq, mentions: mentioned }] as const;
  }));
  return Object.fromEntries(entries);
}
