/**
 * Jumping to a message (a reply's original): loading the history around it when it is further
 * back than the list (the page around it, then the pages between it and what is loaded, so the
 * loaded messages stay one run without a gap), then showing it in the middle, highlighted.
 * Imported when a jump first needs it.
 */
import { batch } from "@preact/signals";
import type { Signal } from "@preact/signals";
import { listMessages } from "./api.ts";
import type { ShownMessage } from "./message_groups.ts";
import type { MessageWindow } from "./message_window.ts";

/** How many pages of AROUND_FILL_LIMIT a jump loads between its target and the loaded list. */
const AROUND_FILL_PAGES = 5;
const AROUND_FILL_LIMIT = 100;

/** The list a jump loads into. */
export interface AroundTarget {
  channelId: string;
  pageSize: number;
  messages: Signal<ShownMessage[]>;
  /** Older messages exist that are not loaded. */
  older: Signal<boolean>;
  /** The list's merge of a page (message_groups.ts `mergePage`, passed in: it is the list's). */
  merge: (list: ShownMessage[], page: ShownMessage[]) => ShownMessage[];
}

/**
 * Loads the page around `seq` into the list, and the pages up to the loaded ones (at most
 * AROUND_FILL_PAGES); false if that failed or the message is further back than that.
 */
export async function loadAround(
  { channelId, pageSize, messages, older, merge }: AroundTarget,
  seq: number,
): Promise<boolean> {
  const around = await listMessages(channelId, { around: seq, limit: pageSize });
  if (!around.ok || around.value.length === 0) return false;
  let page = around.value;
  const first = messages.value[0];
  for (let i = 0; first && page.at(-1)!.seq < first.seq - 1; i++) {
    if (i === AROUND_FILL_PAGES) return false;
    const next = await listMessages(channelId, {
      after: page.at(-1)!.seq,
      limit: AROUND_FILL_LIMIT,
    });
    if (!next.ok) return false;
    if (next.value.length === 0) break;
    page = page.concat(next.value);
  }
  batch(() => {
    if (!first || page[0].seq < first.seq) older.value = page[0].seq > 1;
    messages.value = merge(messages.value, page);
  });
  return true;
}

/** What a jump moves in the list (MessageList.tsx's state). */
export interface JumpTarget {
  messages: Signal<ShownMessage[]>;
  view: Signal<MessageWindow>;
  /** The highlighted message's id. */
  lit: Signal<string | null>;
  /** Why a jump did not land. */
  note: Signal<string | null>;
  loadAround: (seq: number) => Promise<boolean>;
  centerOn: (seq: number) => void;
  leaveBottom: () => void;
  /** The page opened at a seq (`?m=`), for a message too far back to load here. */
  pageOf: (seq: number) => string;
  highlightMs: number;
}

/** Messages shown on each side of a jump's target (the window holds at most 300). */
const JUMP_SIDE = 100;
const JUMP_WINDOW = 300;

/** Scrolls to the message (loading the history around it if needed) and highlights it. */
export async function jumpTo(target: JumpTarget, id: string, seq: number): Promise<void> {
  const { messages, view, lit, note } = target;
  note.value = null;
  let index = messages.value.findIndex((message) => message.id === id);
  if (index === -1) {
    if (!(await target.loadAround(seq))) {
      // Too far back to load here without a gap: the page opens there instead.
      location.assign(target.pageOf(seq));
      return;
    }
    index = messages.value.findIndex((message) => message.id === id);
    if (index === -1) {
      note.value = "That message is no longer there.";
      return;
    }
  }
  const length = messages.value.length;
  const start = Math.max(0, index - JUMP_SIDE);
  const end = Math.min(length, start + JUMP_WINDOW);
  view.value = { start, end: end >= length ? null : end };
  target.leaveBottom();
  target.centerOn(seq);
  lit.value = id;
  setTimeout(() => {
    if (lit.peek() === id) lit.value = null;
  }, target.highlightMs);
}
