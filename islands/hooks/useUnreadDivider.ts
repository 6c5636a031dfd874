/**
 * The "New messages" divider of a channel opened with a read marker: where it goes, and, when
 * the rendered page starts after the first unread message, the history loaded back to it.
 */
import { useSignal } from "@preact/signals";
import type { Signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { WireMessage } from "../../lib/realtime/protocol.ts";
import { firstUnreadOf, firstUnreadOnPage } from "../runtime/first_unread.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";

/** Opening a channel loads history back to the first unread message, up to this many. */
const UNREAD_BACKFILL_MAX = 1000;

export interface UnreadDividerOptions {
  initial: WireMessage[];
  hasOlder: boolean;
  readSeq: number;
  meId?: string;
  messages: Signal<ShownMessage[]>;
  /** Older history is not all loaded. */
  older: Signal<boolean>;
  /** Loads one older page (as scrolling up would); false if none came. */
  loadOlder: () => Promise<boolean>;
  /** The divider was found after loading history: its message's index in `messages`. */
  onFound: (index: number) => void;
}

export interface UnreadDivider {
  /** The seq the divider goes before; undefined while unknown, or when nothing is unread. */
  firstUnread: Signal<number | undefined>;
  /** The list opens on the divider rather than at the bottom. */
  openAtUnread: boolean;
}

/** Fixed once found: the divider stays where "new" began while the reader reads. */
export function useUnreadDivider(
  { initial, hasOlder, readSeq, meId, messages, older, loadOlder, onFound }: UnreadDividerOptions,
): UnreadDivider {
  const firstUnread = useSignal(firstUnreadOnPage(initial, hasOlder, readSeq, meId));

  async function backfill() {
    const last = initial.at(-1)?.seq ?? 0;
    if (readSeq <= 0 || readSeq >= last || firstUnread.value !== undefined) return;
    while (
      older.value && messages.value[0].seq > readSeq + 1 &&
      messages.value.length < UNREAD_BACKFILL_MAX
    ) {
      if (!await loadOlder()) return;
    }
    const seq = firstUnreadOf(messages.value, readSeq, meId);
    const index = messages.value.findIndex((message) => message.seq === seq);
    if (index === -1) return;
    firstUnread.value = seq;
    onFound(index);
  }

  useEffect(() => void backfill(), []);

  return { firstUnread, openAtUnread: readSeq > 0 && firstUnread.peek() !== undefined };
}
