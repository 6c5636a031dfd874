/**
 * A ban's `deleteMessagesSeconds`: deleting the banned user's recent messages in that server's
 * channels, each published as `message_deleted` to those who may view its channel.
 *
 * The author's messages are paged ascending by id, and ids are UUIDv7 (time-ordered), so the
 * first page starts right at the cut-off time: only the window is read, however long the
 * user's history is.
 */
import type { MessageRecord } from "../../db/store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import {
  BAN_DELETE_MESSAGES_COUNT_MAX,
  BAN_DELETE_PAGE_SIZE,
  BAN_DELETE_PAGES_MAX,
} from "../limits.ts";
import type { ServerAccess } from "../permissions/server_access.ts";

/** The lowest UUIDv7 of millisecond `ms`: every id made at or after `ms` sorts above it. */
export function lowestIdAt(ms: number): string {
  const hex = Math.max(0, ms).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/**
 * Deletes the user's messages in the server's channels created at or after `sinceMs`, at most
 * BAN_DELETE_MESSAGES_COUNT_MAX of them within BAN_DELETE_PAGES_MAX pages of the author's
 * messages; returns how many were deleted.
 */
export async function purgeMessages(
  deps: ChatDeps,
  access: ServerAccess,
  userId: string,
  sinceMs: number,
): Promise<number> {
  const channels = new Set(access.channels().map((channel) => channel.id));
  let afterId = lowestIdAt(sinceMs);
  let deleted = 0;
  // The author's pages span every server they are in: a prolific author elsewhere must not
  // make one ban read their whole window, so the pages read are bounded too.
  for (
    let read = 0;
    read < BAN_DELETE_PAGES_MAX && deleted < BAN_DELETE_MESSAGES_COUNT_MAX;
    read++
  ) {
    const page = await deps.store.listMessagesByAuthor(userId, {
      afterId,
      limit: BAN_DELETE_PAGE_SIZE,
    });
    const here = page
      .filter((message) => channels.has(message.channelId))
      .slice(0, BAN_DELETE_MESSAGES_COUNT_MAX - deleted);
    const results = await Promise.all(here.map((message) => deleteOne(deps, access, message)));
    deleted += results.filter(Boolean).length;
    if (page.length < BAN_DELETE_PAGE_SIZE) break;
    afterId = page[page.length - 1].id;
  }
  return deleted;
}

async function deleteOne(
  deps: ChatDeps,
  access: ServerAccess,
  message: MessageRecord,
): Promise<boolean> {
  if (!(await deps.store.deleteMessage(message.id, null))) return false;
  deps.publish({
    target: { servers: [access.serverId], channel: message.channelId },
    event: { type: "message_deleted", channelId: message.channelId, id: message.id },
  });
  return true;
}
