/**
 * The loaded messages of one channel, kept live: new messages, edits and deletions from the
 * socket, acks of the reader's own messages, the reader's saved edits (as soon as the server
 * answers), and a reconcile after each `ready` for what `resume` does not replay.
 *
 * Every live change is stamped with a local clock, so a reconcile whose page was requested
 * before a change never undoes it (see runtime/reconcile.ts), and only the latest reconcile
 * applies. An update older than what is shown (by `editedAt`) is dropped for the same reason:
 * a socket event and an HTTP answer about one message may arrive in either order.
 */
import { batch, useSignal } from "@preact/signals";
import type { Signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { ServerEvent, WireMessage } from "../../lib/realtime/protocol.ts";
import { listMessages } from "../runtime/api.ts";
import { editing, onEditSaved } from "../runtime/editing.ts";
import { mergeMessage } from "../runtime/message_groups.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";
import { watchOutbox } from "../runtime/outbox.ts";
import { isOvertaken, reconcilePage } from "../runtime/reconcile.ts";
import {
  applyAuthor,
  applyPinned,
  applyReaction,
  withOwnReactions,
} from "../runtime/conversation.ts";
import { connection, noteSeen, onEvent, startSocket } from "../runtime/socket_client.ts";

export interface LiveMessagesOptions {
  channelId: string;
  initial: WireMessage[];
  /** The reader's id: their own reaction events set `me`. */
  meId?: string;
  /** How many messages the reconcile reads (the latest page). */
  pageSize: number;
  /** Called when a message joined the list (not for an edit or a repeat), with the new length. */
  onArrived: (message: WireMessage, length: number) => void;
}

export interface LiveMessages {
  messages: Signal<ShownMessage[]>;
  /** Shows a message as deleted. Stable across renders: message rows are memoised on it. */
  markDeleted: (id: string) => void;
}

/** The channel's messages, live from the moment the island runs in the browser. */
export function useLiveMessages(
  { channelId, initial, meId, pageSize, onArrived }: LiveMessagesOptions,
): LiveMessages {
  const messages = useSignal<ShownMessage[]>(initial);
  const arrived = useRef(onArrived);
  arrived.current = onArrived;
  const live = useRef<LiveClock | null>(null);
  live.current ??= new LiveClock();
  const clock = live.current;

  const markDeleted = useRef((id: string) => {
    clock.touch(id);
    batch(() => {
      messages.value = messages.value.map((m) =>
        m.id === id ? { ...m, content: "", deleted: true } : m
      );
      if (editing.peek()?.id === id) editing.value = null;
    });
  }).current;

  function add(message: WireMessage) {
    if (message.channelId !== channelId) return;
    const list = messages.value;
    const shown = list.findLast((item) => item.id === message.id);
    if (isOvertaken(shown, message)) return;
    clock.touch(message.id);
    messages.value = mergeMessage(list, withOwnReactions(shown, message));
    const length = messages.value.length;
    if (length !== list.length) arrived.current(message, length);
  }

  async function reconcile() {
    const { ticket, startedAt } = clock.startReconcile();
    const result = await listMessages(channelId, { limit: pageSize });
    if (!result.ok || !clock.isLatestReconcile(ticket)) return;
    const next = reconcilePage(
      messages.value,
      result.value,
      (id) => clock.changedSince(id, startedAt),
    );
    if (next) messages.value = next;
  }

  const loaded = (id: string) => messages.value.some((item) => item.id === id);

  /** Applies `change` to one loaded message (nothing when it is not loaded). */
  function change(id: string, apply: (message: ShownMessage) => ShownMessage) {
    const list = messages.value;
    const index = list.findLastIndex((item) => item.id === id);
    if (index === -1 || list[index].deleted) return;
    const next = apply(list[index]);
    if (next === list[index]) return;
    clock.touch(id);
    const copy = [...list];
    copy[index] = next;
    messages.value = copy;
  }

  function onConversationEvent(event: ServerEvent) {
    if (event.type === "reaction_added" || event.type === "reaction_removed") {
      if (event.channelId !== channelId) return;
      const delta = event.type === "reaction_added" ? 1 : -1;
      change(event.messageId, (m) => applyReaction(m, event.emoji, delta, event.userId === meId));
    } else if (event.type === "message_pinned" || event.type === "message_unpinned") {
      if (event.channelId !== channelId) return;
      change(event.messageId, (m) => applyPinned(m, event.type === "message_pinned"));
    } else if (event.type === "user_updated") {
      const next = messages.value.map((m) => applyAuthor(m, event.user));
      if (next.some((m, i) => m !== messages.value[i])) messages.value = next;
    }
  }

  useEffect(() => {
    startSocket();
    // The server rendered everything up to the latest message (or the channel is empty).
    noteSeen(channelId, initial.at(-1)?.seq ?? 0);
    const stopAcks = watchOutbox(add);
    const stopEdits = onEditSaved(add);
    const stopEvents = onEvent((event) => {
      if (event.type === "message") add(event.message);
      // An update of a message not loaded (older than the list, e.g. after a resume) would
      // leave a gap in the list: it shows when its page is loaded.
      if (event.type === "message_updated" && loaded(event.message.id)) add(event.message);
      if (event.type === "message_deleted" && event.channelId === channelId) markDeleted(event.id);
      if (event.type === "ready") void reconcile();
      onConversationEvent(event);
    });
    // The socket may have been ready before this island mounted (another island opened it):
    // that `ready` was missed, so reconcile now.
    if (connection.peek() === "online") void reconcile();
    return () => {
      stopAcks();
      stopEdits();
      stopEvents();
    };
  }, []);

  return { messages, markDeleted };
}

/** When each message last changed live, on a local clock, and which reconcile is the latest. */
class LiveClock {
  #now = 0;
  #changedAt = new Map<string, number>();
  #latestTicket = 0;

  touch(id: string): void {
    this.#changedAt.set(id, ++this.#now);
  }

  changedSince(id: string, time: number): boolean {
    return (this.#changedAt.get(id) ?? 0) > time;
  }

  startReconcile(): { ticket: number; startedAt: number } {
    return { ticket: ++this.#latestTicket, startedAt: this.#now };
  }

  isLatestReconcile(ticket: number): boolean {
    return ticket === this.#latestTicket;
  }
}
