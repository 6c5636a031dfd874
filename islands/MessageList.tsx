/**
 * The live message list of one channel: server-rendered with the latest page, then kept up to
 * date over the shared socket. Scrolling to the top loads older messages without moving what
 * is on screen; new messages keep the view at the bottom only if the reader was there.
 * Messages are grouped by author and time; edits and deletions show as such. All user text is
 * rendered as text.
 *
 * However many messages are loaded, the page holds a window of at most WINDOW_MAX of them
 * (runtime/message_window.ts), moved as the reader scrolls with the message at the top of the
 * view kept still (`anchor`). Opening a channel with a read marker shows the "New messages"
 * divider (loading history back to it); scrolled up, "Jump to latest" counts what came since.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { groupMessages, mergeMessage, mergePage } from "./runtime/message_groups.ts";
import {
  inWindow,
  latestWindow,
  WINDOW_MAX,
  WINDOW_STEP,
  windowAfterPrepend,
  windowDown,
  windowFollow,
  windowUp,
} from "./runtime/message_window.ts";
import type { MessageWindow } from "./runtime/message_window.ts";
import type { ShownMessage } from "./runtime/message_groups.ts";
import { editing, lastOwnMessage } from "./runtime/editing.ts";
import { outbox, retry, watchOutbox } from "./runtime/outbox.ts";
import { noteSeen, onEvent, startSocket } from "./runtime/socket_client.ts";
import { markReadLocally, setReading } from "./runtime/unread.ts";
import { UserAvatar } from "./shared/UserAvatar.tsx";
import { MessageItem } from "./shared/MessageItem.tsx";
import { dayLabel, dayOf, fullTime, shortTime } from "./shared/times.ts";

export interface MessageListProps {
  channelId: string;
  channelName: string;
  initial: WireMessage[];
  /** True when older messages exist before `initial`. */
  hasOlder: boolean;
  pageSize: number;
  /** The reader's username: mentions of them stand out. */
  me?: string;
  /** The reader's id: they may delete their own messages. */
  meId?: string;
  serverId?: string;
  /** The reader owns the server: they may delete anyone's message. */
  canModerate?: boolean;
  /** The reader's read marker when the page was made: a divider marks what is new. */
  readSeq?: number;
}

/** The first message after the read marker that someone else wrote (the divider goes there). */
function firstUnreadOf(messages: WireMessage[], readSeq: number, meId?: string) {
  return messages.find((message) => message.seq > readSeq && message.author.id !== meId)?.seq;
}

/** Within this many pixels of the bottom counts as "at the bottom". */
const STICK_PX = 80;
/** Within this many pixels of an edge, the window moves (or older history loads). */
const EDGE_PX = 600;
/** The read marker moves once the reader has been at the bottom this long. */
const READ_DELAY_MS = 300;
/** Opening a channel loads history back to the first unread message, up to this many. */
const UNREAD_BACKFILL_MAX = 1000;

export default function MessageList(
  {
    channelId,
    channelName,
    initial,
    hasOlder,
    pageSize,
    me,
    meId,
    serverId,
    canModerate,
    readSeq = 0,
  }: MessageListProps,
) {
  const messages = useSignal<ShownMessage[]>(initial);
  const view = useSignal<MessageWindow>(latestWindow(initial.length));
  const local = useSignal(false);
  const older = useSignal(hasOlder);
  const loading = useSignal(false);
  /** Shown at the bottom (not scrolled up, window following the latest). */
  const atBottom = useSignal(true);
  /** Messages that arrived while the reader was scrolled up. */
  const unseen = useSignal(0);
  // Fixed once: the divider stays where "new" began while the reader reads.
  // Unknown while older unread messages are not loaded yet (see backfillUnread).
  const firstUnread = useSignal(
    hasOlder && readSeq < (initial[0]?.seq ?? 0) - 1
      ? undefined
      : firstUnreadOf(initial, readSeq, meId),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  /** The message at the top of the view and where it was, to keep it still across a change. */
  const anchor = useRef<{ seq: number; top: number } | null>(null);
  const scrollToUnread = useRef(false);
  const stickFrame = useRef(0);
  const jumped = useRef(false);

  // Stable across renders: message rows are memoised and compare it.
  const markDeleted = useRef((id: string) => {
    messages.value = messages.value.map((m) =>
      m.id === id ? { ...m, content: "", deleted: true } : m
    );
    if (editing.peek()?.id === id) editing.value = null;
  }).current;

  // What ↑ in the composer edits: the reader's latest message here.
  useSignalEffect(() => {
    const own = messages.value.findLast((m) => m.author.id === meId && !m.deleted);
    lastOwnMessage.value = own ? { id: own.id, content: own.content } : null;
  });

  function add(message: WireMessage) {
    if (message.channelId !== channelId) return;
    const before = messages.value.length;
    messages.value = mergeMessage(messages.value, message);
    const length = messages.value.length;
    if (length === before) return; // an edit, or a repeat
    if (!stick.current && message.author.id !== meId) unseen.value++;
    const current = view.value;
    if (stick.current) view.value = windowFollow(current, length);
    else if (current.end === null && length - current.start > WINDOW_MAX + WINDOW_STEP) {
      // Scrolled up in a busy channel: stop growing the DOM; the jump button leads back.
      view.value = { start: current.start, end: current.start + WINDOW_MAX };
    }
  }

  useEffect(() => {
    local.value = true;
    startSocket();
    // The server rendered everything up to the latest message (or the channel is empty).
    noteSeen(channelId, initial.at(-1)?.seq ?? 0);
    const stopAcks = watchOutbox(add);
    const stopEvents = onEvent((event) => {
      if (event.type === "message" || event.type === "message_updated") add(event.message);
      if (event.type === "message_deleted" && event.channelId === channelId) markDeleted(event.id);
      if (event.type === "ready") void reconcile();
    });
    void backfillUnread();
    return () => {
      stopAcks();
      stopEvents();
    };
  }, []);

  /**
   * Edits and deletions are not replayed by `resume` (it replays new messages by seq): after
   * each `ready` (the page was rendered a moment before the socket existed, or the socket was
   * down), the latest page is read again and what changed meanwhile is applied.
   */
  async function reconcile() {
    const response = await fetch(`/api/channels/${channelId}/messages?limit=${pageSize}`)
      .catch(() => null);
    if (!response?.ok) return;
    const { messages: page } = await response.json() as { messages: WireMessage[] };
    if (page.length === 0) return;
    const fresh = new Map(page.map((message) => [message.id, message]));
    const [low, high] = [page[0].seq, page.at(-1)!.seq];
    let changed = false;
    let list = messages.value.map((message) => {
      if (message.seq < low || message.seq > high || message.deleted) return message;
      const now = fresh.get(message.id);
      // Unchanged messages keep their object: their rows are memoised on it.
      if (now && now.content === message.content && now.editedAt === message.editedAt) {
        return message;
      }
      changed = true;
      return now ?? { ...message, content: "", deleted: true };
    });
    const known = new Set(list.map((message) => message.id));
    for (const message of page) {
      if (!known.has(message.id)) {
        list = mergeMessage(list, message);
        changed = true;
      }
    }
    // Nothing new: no render (it would land in the middle of a load and move the view).
    if (changed) messages.value = list;
  }

  /** Notes the first message in view and its position, before the list changes above it. */
  function captureAnchor() {
    const element = scroller.current;
    if (!element) return;
    const top = element.getBoundingClientRect().top;
    for (const node of element.querySelectorAll<HTMLElement>("[data-seq]")) {
      const rect = node.getBoundingClientRect();
      if (rect.bottom > top) {
        anchor.current = { seq: Number(node.dataset.seq), top: rect.top };
        return;
      }
    }
  }

  // Opening a channel with a read marker shows its first unread message (loading history back
  // to it if needed), not the bottom.
  useLayoutEffect(() => {
    scrollToUnread.current = readSeq > 0 && firstUnread.value !== undefined;
    stick.current = !scrollToUnread.current;
  }, []);
  // After each render: show the first unread, or keep the anchored message still, or stay at
  // the bottom if the reader was there.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const divider = element.querySelector<HTMLElement>("[data-first-unread]");
    if (scrollToUnread.current && divider) {
      scrollToUnread.current = false;
      anchor.current = null;
      element.scrollTop += divider.getBoundingClientRect().top -
        element.getBoundingClientRect().top - 8;
      onScroll();
    } else if (anchor.current) {
      const { seq, top } = anchor.current;
      anchor.current = null;
      const node = element.querySelector(`[data-seq="${seq}"]`);
      if (node) element.scrollTop += node.getBoundingClientRect().top - top;
    } else if (jumped.current) {
      // At once: a scroll event before the next frame would otherwise see the reader far from
      // the bottom and move the window back up.
      jumped.current = false;
      element.scrollTop = element.scrollHeight;
    } else if (stick.current) {
      // Just before the next paint: layout then runs once per frame, however many messages
      // arrive in it, and not on the way from the socket to the DOM.
      cancelAnimationFrame(stickFrame.current);
      stickFrame.current = requestAnimationFrame(() => {
        if (stick.current) element.scrollTop = element.scrollHeight;
      });
    }
  });

  async function backfillUnread() {
    const last = initial.at(-1)?.seq ?? 0;
    if (readSeq <= 0 || readSeq >= last || firstUnread.value !== undefined) return;
    while (
      older.value && messages.value[0].seq > readSeq + 1 &&
      messages.value.length < UNREAD_BACKFILL_MAX
    ) {
      if (!await loadOlder(false)) return;
    }
    const seq = firstUnreadOf(messages.value, readSeq, meId);
    const index = messages.value.findIndex((message) => message.seq === seq);
    if (index === -1) return;
    const start = Math.max(0, index - 20);
    const end = start + WINDOW_MAX >= messages.value.length ? null : start + WINDOW_MAX;
    firstUnread.value = seq;
    stick.current = false;
    scrollToUnread.current = true;
    view.value = { start, end };
  }

  // Reading happens at the bottom of a visible page: then the read marker follows.
  const lastRead = useRef(readSeq);
  const readTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  function markRead() {
    clearTimeout(readTimer.current);
    readTimer.current = setTimeout(() => {
      const last = messages.value.at(-1)?.seq ?? 0;
      if (!stick.current || document.visibilityState !== "visible" || last <= lastRead.current) {
        return;
      }
      lastRead.current = last;
      markReadLocally(channelId, last);
      void fetch(`/api/channels/${channelId}/read`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ seq: last }),
      });
    }, READ_DELAY_MS);
  }
  useSignalEffect(() => {
    void messages.value;
    markRead();
  });
  useEffect(() => {
    const onVisibility = () => {
      setReading(channelId, stick.current && document.visibilityState === "visible");
      markRead();
    };
    onVisibility();
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  /** Loads the page before the first loaded message; false if that failed. */
  async function loadOlder(keepView: boolean): Promise<boolean> {
    const first = messages.value[0];
    if (loading.value || !older.value || !first) return false;
    loading.value = true;
    try {
      const response = await fetch(
        `/api/channels/${channelId}/messages?before=${first.seq}&limit=${pageSize}`,
      );
      if (!response.ok) return false;
      const { messages: page } = await response.json() as { messages: WireMessage[] };
      if (keepView) captureAnchor();
      older.value = page.length === pageSize;
      const before = messages.value.length;
      messages.value = mergePage(messages.value, page);
      const length = messages.value.length;
      view.value = windowAfterPrepend(view.value, length - before, length);
      return true;
    } finally {
      loading.value = false;
    }
  }

  function onScroll() {
    const element = scroller.current!;
    const fromBottom = element.scrollHeight - element.scrollTop - element.clientHeight;
    stick.current = view.value.end === null && fromBottom < STICK_PX;
    atBottom.value = stick.current;
    setReading(channelId, stick.current && document.visibilityState === "visible");
    if (stick.current) {
      unseen.value = 0;
      markRead();
    }
    if (anchor.current || scrollToUnread.current) return; // a change is on its way
    const length = messages.value.length;
    if (element.scrollTop < EDGE_PX) {
      if (view.value.start > 0) {
        captureAnchor();
        view.value = windowUp(view.value, length);
      } else void loadOlder(true);
    } else if (fromBottom < EDGE_PX && view.value.end !== null) {
      captureAnchor();
      view.value = windowDown(view.value, length);
    }
  }

  function jumpToLatest() {
    anchor.current = null;
    jumped.current = true;
    stick.current = true;
    atBottom.value = true;
    unseen.value = 0;
    view.value = latestWindow(messages.value.length);
  }

  const pending = outbox.value.filter((item) => item.channelId === channelId);
  const shown = inWindow(messages.value, view.value);
  const groups = groupMessages(shown, dayOf(local.value), firstUnread.value);
  return (
    <div class="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={scroller}
        onScroll={onScroll}
        class="min-h-0 flex-1 overflow-y-auto overscroll-contain px-4 py-3"
        data-testid="message-list"
      >
        {older.value || view.value.start > 0
          ? (
            <p class="py-2 text-center text-xs text-slate-500 dark:text-slate-400">
              {loading.value ? "Loading older messages…" : "Scroll up for older messages"}
            </p>
          )
          : (
            <div class="pb-4 pt-8">
              <p class="text-2xl font-bold">Welcome to #{channelName}</p>
              <p class="text-sm text-slate-500 dark:text-slate-400">
                This is the start of the channel.
              </p>
            </div>
          )}
        <div role="log" aria-live="polite" aria-label={`Messages in ${channelName}`}>
          <ol class="space-y-3">
            {groups.map((group) => (
              <Fragment key={group.key}>
                {group.firstUnread && (
                  <li data-first-unread="">
                    <div
                      role="separator"
                      aria-label="New messages"
                      class="flex items-center gap-3 text-xs font-bold uppercase text-red-700 dark:text-red-400"
                    >
                      <span class="h-px flex-1 bg-red-500" />
                      New messages
                    </div>
                  </li>
                )}
                {group.newDay && (
                  <li>
                    <div
                      role="separator"
                      aria-label={dayLabel(group.startedAt, local.value)}
                      class="flex items-center gap-3 py-1 text-xs font-semibold text-slate-500 dark:text-slate-400"
                    >
                      <span class="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
                      {dayLabel(group.startedAt, local.value)}
                      <span class="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
                    </div>
                  </li>
                )}
                <li class="flex gap-3">
                  <UserAvatar user={group.author} class="mt-0.5 h-10 w-10" decorative />
                  <div class="min-w-0 flex-1">
                    <p class="flex items-baseline gap-2">
                      <span class="truncate font-semibold">{group.author.displayName}</span>
                      {/* The full date shows on hover and on keyboard focus (a title does not). */}
                      <span class="relative shrink-0">
                        <time
                          datetime={group.startedAt}
                          tabIndex={0}
                          aria-describedby={`when-${group.key}`}
                          class="peer rounded text-xs text-slate-500 dark:text-slate-400"
                        >
                          {shortTime(group.startedAt, local.value)}
                        </time>
                        <span
                          id={`when-${group.key}`}
                          role="tooltip"
                          class="pointer-events-none absolute bottom-full left-0 z-10 mb-1 hidden whitespace-nowrap rounded bg-slate-900 px-2 py-1 text-xs text-white shadow peer-hover:block peer-focus-visible:block dark:bg-slate-700"
                        >
                          {local.value
                            ? fullTime(group.startedAt)
                            : dayLabel(group.startedAt, false)}
                        </span>
                      </span>
                    </p>
                    {group.messages.map((message) => (
                      <MessageItem
                        key={message.id}
                        message={message}
                        me={me}
                        own={message.author.id === meId}
                        canDelete={message.author.id === meId || !!canModerate}
                        editing={editing.value?.id === message.id}
                        deleteAction={`/chat/${serverId}/${channelId}/messages/${message.id}/delete`}
                        onDeleted={markDeleted}
                      />
                    ))}
                  </div>
                </li>
              </Fragment>
            ))}
            {pending.map((item) => (
              <li key={item.nonce} class="flex gap-3 pl-[3.25rem]" data-pending={item.status}>
                <div class="min-w-0 flex-1">
                  <p class="whitespace-pre-wrap break-words text-slate-500 dark:text-slate-400 [overflow-wrap:anywhere]">
                    {item.content}
                  </p>
                  {item.status === "failed"
                    ? (
                      <p class="text-xs text-red-600 dark:text-red-400">
                        {item.error ?? "Not sent."}{" "}
                        <button
                          type="button"
                          class="font-semibold underline"
                          onClick={() => retry(item.nonce)}
                        >
                          Retry
                        </button>
                      </p>
                    )
                    : <p class="text-xs text-slate-500 dark:text-slate-400">Sending…</p>}
                </div>
              </li>
            ))}
          </ol>
        </div>
      </div>
      {!atBottom.value && (
        <button
          type="button"
          onClick={jumpToLatest}
          class="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-brand-600 px-4 py-1.5 text-sm font-semibold text-white shadow-lg hover:bg-brand-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2"
        >
          {unseen.value > 0
            ? `${unseen.value} new ${unseen.value === 1 ? "message" : "messages"} · Jump to latest`
            : "Jump to latest"}
        </button>
      )}
    </div>
  );
}
