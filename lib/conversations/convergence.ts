/**
 * Resume converges (API.md "Conversations"): after a resume's replay of new messages, a client
 * that names when it was last in sync (`since`) gets, per channel, the current state of every
 * message changed since then — edited, reacted to, pinned or unpinned (`message_updated`, with
 * its reactions' `me` for that reader) or deleted (`message_deleted`). Read from the store's
 * change log (changedSince), from RESUME_SINCE_SLACK_MS before `since`, at most
 * RESUME_CHANGES_MAX per channel.
 */
import type { Store } from "../../db/store.ts";
import { RESUME_CHANGES_MAX, RESUME_SINCE_SLACK_MS } from "../limits.ts";
import type { ServerEvent } from "../realtime/protocol.ts";
import { decorateMessages } from "./decoration.ts";

/** The events that bring a reader's view of the channel's changed messages up to date. */
export async function changesSince(
  store: Store,
  readerId: string,
  channelId: string,
  since: Date,
): Promise<ServerEvent[]> {
  const from = new Date(since.getTime() - RESUME_SINCE_SLACK_MS);
  const changes = await store.changedSince(channelId, from, RESUME_CHANGES_MAX);
  if (changes.length === 0) return [];
  const live = changes.filter((c) => !c.deleted).map((c) => c.messageId);
  const found = live.length > 0 ? await store.findMessages(live) : [];
  const messages = new Map(
    (await decorateMessages(store, found, readerId)).map((m) => [m.id, m]),
  );
  return changes.map((change): ServerEvent => {
    const message = messages.get(change.messageId);
    // Changed and then deleted between the two reads: gone, like a deletion.
    return message && !change.deleted
      ? { type: "message_updated", message }
      : { type: "message_deleted", channelId, id: change.messageId };
  });
}
