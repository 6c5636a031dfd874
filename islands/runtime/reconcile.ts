/**
 * Bringing the loaded messages in line with a freshly read page of the latest history. Edits
 * and deletions are not replayed by `resume` (it replays new messages by seq), so after each
 * `ready` the list reads the latest page again and applies what differs.
 *
 * The page is a snapshot from when its request left: a live event that came after that (an
 * edit, a deletion, a new message) is newer than the page and must win, or the list would go
 * back to the old text. The caller says which messages changed live since the request left.
 */
import { sameShown } from "./conversation.ts";
import { mergeMessage } from "./message_groups.ts";
import type { ShownMessage } from "./message_groups.ts";
import type { WireMessage } from "../../lib/realtime/protocol.ts";

/**
 * The list with `page` applied, or null when nothing differs (no render: it would land in the
 * middle of a load and move the view). Within the page's seq range, a loaded message missing
 * from the page was deleted; messages for which `changedSince(id)` holds are left as they are.
 * Unchanged messages keep their object: their rows are memoised on it.
 */
export function reconcilePage(
  list: ShownMessage[],
  page: ShownMessage[],
  changedSince: (id: string) => boolean,
): ShownMessage[] | null {
  if (page.length === 0) return null;
  const fresh = new Map(page.map((message) => [message.id, message]));
  const [low, high] = [page[0].seq, page.at(-1)!.seq];
  let changed = false;
  let next = list.map((message) => {
    if (message.seq < low || message.seq > high || message.deleted) return message;
    if (changedSince(message.id)) return message;
    const now = fresh.get(message.id);
    if (now && sameShown(now, message)) return message;
    if (now && isOvertaken(message, now)) return message;
    changed = true;
    // The page was read for this reader: its `me` is right.
    return now ?? { ...message, content: "", deleted: true };
  });
  const known = new Set(list.map((message) => message.id));
  for (const message of page) {
    if (!known.has(message.id) && !changedSince(message.id)) {
      next = mergeMessage(next, message);
      changed = true;
    }
  }
  return changed ? next : null;
}

/** True when `incoming` is an older version of `shown` (an edit that was already overtaken). */
export function isOvertaken(shown: ShownMessage | undefined, incoming: WireMessage): boolean {
  if (!shown) return false;
  if (shown.deleted) return true;
  return shown.editedAt !== null &&
    (incoming.editedAt === null || incoming.editedAt < shown.editedAt);
}
