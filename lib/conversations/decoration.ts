/**
 * Stored messages → the API's messages with their conversation fields (reply previews,
 * reactions, pinned, mentions, attachments: kept in the message record, so read with it), for a page, a replay, an event or one answer, in a constant
 * number of store round trips whatever the page's size: one wave of `findMessages` (the
 * originals replied to that are not on the page), `reactionsOf` and `pinsOf`, then one
 * `findUsersByIds` for every author (of the page and of the originals).
 */
import type { MessageRecord, Store } from "../../db/store.ts";
import type { WireAuthor, WireMessage } from "../realtime/protocol.ts";
import { toWireAuthor, toWireMessage, unknownAuthor } from "../chat/shapes.ts";
import { replyPreview } from "./reply_preview.ts";
import { toWireAttachment } from "../attachments/wire.ts";

/**
 * The messages in the API's shape, in the given order. `readerId` is whose `me` the reactions
 * carry; null for an event many readers get (`me: false`, API.md "Precisions").
 */
export async function decorateMessages(
  store: Store,
  messages: MessageRecord[],
  readerId: string | null,
): Promise<WireMessage[]> {
  if (messages.length === 0) return [];
  const ids = messages.map((m) => m.id);
  const onPage = new Map(messages.map((m) => [m.id, m]));
  const missing = [
    ...new Set(
      messages.flatMap((m) =>
        m.replyToId !== null && !onPage.has(m.replyToId) ? [m.replyToId] : []
      ),
    ),
  ];
  const [originals, reactions, pins] = await Promise.all([
    missing.length > 0 ? store.findMessages(missing) : Promise.resolve([]),
    store.reactionsOf(ids, readerId ?? ""),
    store.pinsOf(ids),
  ]);
  const replied = new Map(onPage);
  // An original from another channel is not shown (replies are checked to stay in one).
  for (const original of originals) replied.set(original.id, original);
  const authorIds = new Set(messages.map((m) => m.authorId));
  for (const original of originals) authorIds.add(original.authorId);
  const users = await store.findUsersByIds([...authorIds]);
  const authors = new Map<string, WireAuthor>(users.map((u) => [u.id, toWireAuthor(u)]));
  const author = (id: string) => authors.get(id) ?? unknownAuthor(id);
  return messages.map((m) => {
    const original = m.replyToId === null ? undefined : replied.get(m.replyToId);
    const sameChannel = original?.channelId === m.channelId ? original : undefined;
    return withConversation(toWireMessage(m, author(m.authorId)), m, {
      replyTo: replyPreview(m.replyToId, sameChannel, author),
      reactions: reactions.get(m.id) ?? [],
      pinned: pins.has(m.id),
    });
  });
}

/** Adds the conversation fields to a message in the API's shape. */
export function withConversation(
  wire: WireMessage,
  message: MessageRecord,
  parts: Pick<WireMessage, "replyTo" | "reactions" | "pinned">,
): WireMessage {
  wire.replyTo = parts.replyTo ?? null;
  wire.reactions = parts.reactions ?? [];
  wire.pinned = parts.pinned ?? false;
  wire.mentions = {
    users: [...(message.mentions?.users ?? [])],
    everyone: message.mentions?.everyone ?? false,
  };
  wire.attachments = (message.attachments ?? []).map(toWireAttachment);
  return wire;
}
