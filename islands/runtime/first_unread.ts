/**
 * Where the "New messages" divider goes: before the first message after the reader's read
 * marker that someone else wrote. It is fixed once found, so it stays where "new" began while
 * the reader reads.
 */
import type { WireMessage } from "../../lib/realtime/protocol.ts";
import { WINDOW_MAX } from "./message_window.ts";
import type { MessageWindow } from "./message_window.ts";

/** Messages shown above the first unread one when the list opens there. */
export const CONTEXT_ABOVE_UNREAD = 20;

/** The seq of the first message after `readSeq` that someone else than `meId` wrote. */
export function firstUnreadOf(
  messages: WireMessage[],
  readSeq: number,
  meId?: string,
): number | undefined {
  return messages.find((message) => message.seq > readSeq && message.author.id !== meId)?.seq;
}

/**
 * The divider's place in the rendered page, or undefined while it is unknown: when older
 * unread messages exist that the page does not hold yet (they are loaded first).
 */
export function firstUnreadOnPage(
  initial: WireMessage[],
  hasOlder: boolean,
  readSeq: number,
  meId?: string,
): number | undefined {
  if (hasOlder && readSeq < (initial[0]?.seq ?? 0) - 1) return undefined;
  return firstUnreadOf(initial, readSeq, meId);
}

/** The window that shows the message at `index` near its top, with some context above. */
export function windowAtUnread(index: number, length: number): MessageWindow {
  const start = Math.max(0, index - CONTEXT_ABOVE_UNREAD);
  return { start, end: start + WINDOW_MAX >= length ? null : start + WINDOW_MAX };
}
