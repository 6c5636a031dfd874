/**
 * The live message list of one channel: server-rendered with the latest page, then kept up to
 * date over the shared socket. Scrolling to the top loads older messages without moving what
 * is on screen; new messages keep the view at the bottom only if the reader was there.
 * Messages are grouped by author and time; edits and deletions show as such. All user text is
 * rendered as text.
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { groupMessages, mergeMessage } from "./runtime/message_groups.ts";
import type { ShownMessage } from "./runtime/message_groups.ts";
import { outbox, retry, watchOutbox } from "./runtime/outbox.ts";
import { noteSeen, onEvent, startSocket } from "./runtime/socket_client.ts";
import { markReadLocally } from "./runtime/unread.ts";
import { UserAvatar } from "./shared/UserAvatar.tsx";
import { renderMarkdown } from "./shared/markdown.tsx";

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

/**
 * Delete, in two clicks (the first arms it for a few seconds). A form, so it also works
 * without JavaScript; hydrated, it deletes through the API and the list updates at once.
 */
function DeleteButton(
  { action, messageId, onDeleted }: { action: string; messageId: string; onDeleted: () => void },
) {
  const armed = useSignal(false);
  async function submit(event: Event) {
    event.preventDefault();
    if (!armed.value) {
      armed.value = true;
      setTimeout(() => armed.value = false, 4000);
      return;
    }
    const response = await fetch(`/api/messages/${messageId}`, { method: "DELETE" });
    if (response.ok) onDeleted();
  }
  return (
    <form method="post" action={action} onSubmit={submit} class="shrink-0">
      <button
        type="submit"
        class={`rounded px-1.5 text-xs ${
          armed.value
            ? "bg-red-600 text-white"
            : "text-slate-400 opacity-0 hover:text-red-600 focus:opacity-100 group-hover:opacity-100"
        }`}
      >
        {armed.value ? "Confirm delete" : "Delete"}
      </button>
    </form>
  );
}

// The server knows no reader's time zone: it renders UTC, and the browser switches to local
// time once hydrated (`local`), so server and first client render agree.
const time = (iso: string, local: boolean) =>
  local
    ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : `${iso.slice(11, 16)} UTC`;
const full = (iso: string) => new Date(iso).toLocaleString();
const dayOf = (local: boolean) => (iso: string) =>
  local ? new Date(iso).toDateString() : iso.slice(0, 10);

function dayLabel(iso: string, local: boolean): string {
  const date = new Date(iso);
  if (!local) return date.toLocaleDateString("en", { timeZone: "UTC", dateStyle: "long" });
  const today = new Date();
  const yesterday = new Date(today.getTime() - 24 * 60 * 60 * 1000);
  if (date.toDateString() === today.toDateString()) return "Today";
  if (date.toDateString() === yesterday.toDateString()) return "Yesterday";
  return date.toLocaleDateString([], { dateStyle: "long" });
}
/** Within this many pixels of the bottom counts as "at the bottom". */
const STICK_PX = 80;
/** The read marker moves once the reader has been at the bottom this long. */
const READ_DELAY_MS = 300;

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
  const local = useSignal(false);
  const older = useSignal(hasOlder);
  const loading = useSignal(false);
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const keepFromBottom = useRef<number | null>(null);

  function markDeleted(id: string) {
    messages.value = messages.value.map((m) =>
      m.id === id ? { ...m, content: "", deleted: true } : m
    );
  }

  useEffect(() => {
    local.value = true;
    startSocket();
    // The server rendered everything up to the latest message (or the channel is empty).
    noteSeen(channelId, initial.at(-1)?.seq ?? 0);
    const add = (message: WireMessage) => {
      if (message.channelId === channelId) messages.value = mergeMessage(messages.value, message);
    };
    const stopAcks = watchOutbox(add);
    const stopEvents = onEvent((event) => {
      if (event.type === "message" || event.type === "message_updated") add(event.message);
      if (event.type === "message_deleted" && event.channelId === channelId) markDeleted(event.id);
    });
    return () => {
      stopAcks();
      stopEvents();
    };
  }, []);

  // After each render: keep the bottom in view, or keep the old content still after a prepend.
  useSignalEffect(() => {
    void messages.value;
    void outbox.value;
    queueMicrotask(() => {
      const element = scroller.current;
      if (!element) return;
      if (keepFromBottom.current !== null) {
        element.scrollTop = element.scrollHeight - keepFromBottom.current;
        keepFromBottom.current = null;
      } else if (stick.current) {
        element.scrollTop = element.scrollHeight;
      }
    });
  });

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
    document.addEventListener("visibilitychange", markRead);
    return () => document.removeEventListener("visibilitychange", markRead);
  }, []);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, []);

  async function loadOlder() {
    const first = messages.value[0];
    if (loading.value || !older.value || !first) return;
    loading.value = true;
    try {
      const response = await fetch(
        `/api/channels/${channelId}/messages?before=${first.seq}&limit=${pageSize}`,
      );
      if (!response.ok) return;
      const { messages: page } = await response.json() as { messages: WireMessage[] };
      const element = scroller.current!;
      keepFromBottom.current = element.scrollHeight - element.scrollTop;
      older.value = page.length === pageSize;
      messages.value = page.reduce(mergeMessage, messages.value);
    } finally {
      loading.value = false;
    }
  }

  function onScroll() {
    const element = scroller.current!;
    stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < STICK_PX;
    if (stick.current) markRead();
    if (element.scrollTop < 200) void loadOlder();
  }

  const pending = outbox.value.filter((item) => item.channelId === channelId);
  // Fixed at the first render: the divider stays where "new" began while the reader reads.
  const firstUnread = initial.find((m) => m.seq > readSeq && m.author.id !== meId)?.seq;
  const groups = groupMessages(messages.value, dayOf(local.value), firstUnread);
  return (
    <div
      ref={scroller}
      onScroll={onScroll}
      class="min-h-0 flex-1 overflow-y-auto overscroll-contain px-4 py-3"
      data-testid="message-list"
    >
      {older.value
        ? (
          <p class="py-2 text-center text-xs text-slate-500">
            {loading.value ? "Loading older messages…" : "Scroll up for older messages"}
          </p>
        )
        : (
          <div class="pb-4 pt-8">
            <p class="text-2xl font-bold">Welcome to #{channelName}</p>
            <p class="text-sm text-slate-500">This is the start of the channel.</p>
          </div>
        )}
      <div role="log" aria-live="polite" aria-label={`Messages in ${channelName}`}>
        <ol class="space-y-3">
          {groups.map((group) => (
            <Fragment key={group.key}>
              {group.firstUnread && (
                <li
                  role="separator"
                  aria-label="New messages"
                  class="flex items-center gap-3 text-xs font-bold uppercase text-red-600"
                >
                  <span class="h-px flex-1 bg-red-500" />
                  New messages
                </li>
              )}
              {group.newDay && (
                <li
                  role="separator"
                  aria-label={dayLabel(group.startedAt, local.value)}
                  class="flex items-center gap-3 py-1 text-xs font-semibold text-slate-500"
                >
                  <span class="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
                  {dayLabel(group.startedAt, local.value)}
                  <span class="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
                </li>
              )}
              <li class="flex gap-3">
                <UserAvatar user={group.author} class="mt-0.5 h-10 w-10" decorative />
                <div class="min-w-0 flex-1">
                  <p class="flex items-baseline gap-2">
                    <span class="truncate font-semibold">{group.author.displayName}</span>
                    <time
                      datetime={group.startedAt}
                      title={full(group.startedAt)}
                      class="shrink-0 text-xs text-slate-500"
                    >
                      {time(group.startedAt, local.value)}
                    </time>
                  </p>
                  {group.messages.map((message) => (
                    <div key={message.id} class="group flex items-start gap-2">
                      <div
                        data-seq={message.seq}
                        class={`min-w-0 flex-1 break-words [overflow-wrap:anywhere] ${
                          message.deleted ? "italic text-slate-400" : ""
                        }`}
                      >
                        {message.deleted ? "Message deleted" : renderMarkdown(message.content, me)}
                        {message.editedAt && !message.deleted && (
                          <span class="ml-1 text-xs text-slate-400" title={full(message.editedAt)}>
                            (edited)
                          </span>
                        )}
                      </div>
                      {!message.deleted && (message.author.id === meId || canModerate) && (
                        <DeleteButton
                          action={`/chat/${serverId}/${channelId}/messages/${message.id}/delete`}
                          messageId={message.id}
                          onDeleted={() =>
                            markDeleted(message.id)}
                        />
                      )}
                    </div>
                  ))}
                </div>
              </li>
            </Fragment>
          ))}
          {pending.map((item) => (
            <li key={item.nonce} class="flex gap-3 pl-[3.25rem]" data-pending={item.status}>
              <div class="min-w-0 flex-1">
                <p class="whitespace-pre-wrap break-words text-slate-400 [overflow-wrap:anywhere]">
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
                  : <p class="text-xs text-slate-400">Sending…</p>}
              </div>
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
