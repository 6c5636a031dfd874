/**
 * Groups consecutive messages of one author, as chat apps do: a new group starts with another
 * author, after a pause of more than GROUP_GAP_MS, or on a new day (which gets a divider).
 */
import type { WireMessage } from "../../lib/realtime/protocol.ts";

export const GROUP_GAP_MS = 5 * 60 * 1000;

/** A message as the list shows it: deleted ones stay as a placeholder. */
export interface ShownMessage extends WireMessage {
  deleted?: boolean;
}

export interface MessageGroup {
  key: string;
  author: WireMessage["author"];
  startedAt: string;
  /** The calendar day of the group (as `dayOf` names it). */
  day: string;
  /** The first group of its day: a divider goes before it. */
  newDay: boolean;
  /** Starts with the first unread message: a "New messages" divider goes before it. */
  firstUnread: boolean;
  messages: ShownMessage[];
}

/** `dayOf` names a time's calendar day (in the reader's time zone, once in the browser). */
export function groupMessages(
  messages: ShownMessage[],
  dayOf: (iso: string) => string = (iso) => iso.slice(0, 10),
  /** The seq of the first unread message, if any: a group starts there. */
  unreadFrom = Infinity,
): MessageGroup[] {
  const groups: MessageGroup[] = [];
  for (const message of messages) {
    const last = groups.at(-1);
    const previous = last?.messages.at(-1);
    const day = dayOf(message.createdAt);
    const sameAuthor = last && last.author.id === message.author.id;
    const soon = previous &&
      Date.parse(message.createdAt) - Date.parse(previous.createdAt) <= GROUP_GAP_MS;
    const firstUnread = message.seq === unreadFrom;
    if (last && sameAuthor && soon && last.day === day && !firstUnread) {
      last.messages.push(message);
    } else {
      groups.push({
        key: message.id,
        author: message.author,
        startedAt: message.createdAt,
        day,
        newDay: last?.day !== day,
        firstUnread,
        messages: [message],
      });
    }
  }
  return groups;
}

/** Inserts or replaces by id, keeping seq order. */
export function mergeMessage(list: ShownMessage[], message: ShownMessage): ShownMessage[] {
  // Live messages and edits are nearly always recent: search from the end.
  const existing = list.findLastIndex((item) => item.id === message.id);
  if (existing !== -1) {
    const copy = [...list];
    copy[existing] = message;
    return copy;
  }
  const copy = [...list, message];
  let i = copy.length - 1;
  while (i > 0 && copy[i - 1].seq > message.seq) {
    copy[i] = copy[i - 1];
    i--;
  }
  copy[i] = message;
  return copy;
}

/** Adds a page of history; a page older than everything loaded goes in front in one copy. */
export function mergePage(list: ShownMessage[], page: ShownMessage[]): ShownMessage[] {
  const first = list[0];
  if (first && page.every((message) => message.seq < first.seq)) return [...page, ...list];
  return page.reduce(mergeMessage, list);
}
