/**
 * The live message list of one channel: server-rendered with the latest page, then kept up to
 * date over the shared socket. Scrolling to the top loads older messages without moving what
 * is on screen; new messages keep the view at the bottom only if the reader was there.
 * Messages are grouped by author and time; edits and deletions show as such. All user text is
 * rendered as text.
 *
 * However many messages are loaded, the page holds a window of at most WINDOW_MAX of them
 * (runtime/message_window.ts), moved as the reader scrolls with the message at the top of the
 * view kept still. Opening a channel with a read marker shows the "New messages" divider
 * (loading history back to it); scrolled up, "Jump to latest" counts what came since.
 *
 * Each message has its actions (Reply, Add reaction, Edit, Delete, Pin, Copy link), its
 * reactions and the quoted preview of what it replies to; a preview jumps to the original
 * (loading the history around it if needed) and highlights it, as a `?m=<seq>` link does when
 * the page opens there (`openAt`).
 *
 * The parts, each alone: useLiveMessages (the messages, live), useOlderHistory (older pages),
 * useUnreadDivider, useScrollKeeper (where the view goes after a render), useReadMarker,
 * useMentionable, useLastOwnMessage; this file wires them to the scroll and the window.
 */
import { useSignal } from "@preact/signals";
import { Fragment } from "preact";
import { useEffect } from "preact/hooks";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { ChannelStart } from "./components/ChannelStart.tsx";
import { DayDivider } from "./components/DayDivider.tsx";
import { JumpToLatest } from "./components/JumpToLatest.tsx";
import { LazyEmojiPicker } from "./components/LazyEmojiPicker.tsx";
import { MessageGroup } from "./components/MessageGroup.tsx";
import { PendingMessages } from "./components/PendingMessages.tsx";
import { UnreadDivider } from "./components/UnreadDivider.tsx";
import { useLastOwnMessage } from "./hooks/useLastOwnMessage.ts";
import { useLiveMessages } from "./hooks/useLiveMessages.ts";
import { useMentionable } from "./hooks/useMentionable.ts";
import { useOlderHistory } from "./hooks/useOlderHistory.ts";
import { useReadMarker } from "./hooks/useReadMarker.ts";
import { useScrollKeeper } from "./hooks/useScrollKeeper.ts";
import { useUnreadDivider } from "./hooks/useUnreadDivider.ts";
import { setReaction } from "./runtime/api.ts";
import { loadCustomEmoji } from "./runtime/custom_emoji.ts";
import { editing } from "./runtime/editing.ts";
import { windowAtUnread } from "./runtime/first_unread.ts";
import { followTaps } from "./runtime/message_actions.ts";
import { groupMessages } from "./runtime/message_groups.ts";
import type { ShownMessage } from "./runtime/message_groups.ts";
import {
  inWindow,
  latestWindow,
  windowAfterPrepend,
  windowDown,
  windowOnArrival,
  windowUp,
} from "./runtime/message_window.ts";
import type { MessageWindow } from "./runtime/message_window.ts";
import { outbox } from "./runtime/outbox.ts";
import { channelPermissions } from "./runtime/permissions.ts";
import { serverState } from "./runtime/server_state.ts";
import { dayLabel, dayOf } from "./shared/times.ts";
import type { JumpRequest } from "./search/jump_event.ts";

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
  /**
   * Usernames of the server's members: only `@` one of them is highlighted as a mention (kept
   * live as members join and leave). Without it, every `@name` is.
   */
  mentionable?: string[];
  /** The page opened on this message (a `?m=<seq>` link): the view starts there, lit. */
  openAt?: number;
  /** True when newer messages exist after `initial` (a page opened around `openAt`). */
  hasNewer?: boolean;
}

/** A `:name:` that may be a custom emoji. */
const CUSTOM = /:[a-z0-9_]{2,32}:/;
/** A jump's target stays highlighted this long. */
const HIGHLIGHT_MS = 4000;

/** Within this many pixels of the bottom counts as "at the bottom". */
const STICK_PX = 80;
/** Within this many pixels of an edge, the window moves (or older history loads). */
const EDGE_PX = 600;

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
    mentionable,
    openAt,
  }: MessageListProps,
) {
  const view = useSignal<MessageWindow>(latestWindow(initial.length));
  /** The highlighted message (a link's target, or a jump's). */
  const lit = useSignal<string | null>(
    initial.find((message) => message.seq === openAt)?.id ?? null,
  );
  /** The message the emoji picker reacts to, while it is open. */
  const picking = useSignal<{ message: ShownMessage; anchor: HTMLElement } | null>(null);
  /** Why a jump did not land. */
  const jumpNote = useSignal<string | null>(null);
  const local = useSignal(false);
  /** Shown at the bottom (not scrolled up, window following the latest). */
  const atBottom = useSignal(true);
  /** Messages that arrived while the reader was scrolled up. */
  const unseen = useSignal(0);

  const { messages, markDeleted } = useLiveMessages({
    channelId,
    initial,
    meId,
    pageSize,
    onArrived(message, length) {
      if (CUSTOM.test(message.content)) loadCustomEmoji(serverId);
      const following = scroll.stick.current;
      if (!following && message.author.id !== meId) unseen.value++;
      view.value = windowOnArrival(view.value, length, following);
    },
  });
  const history = useOlderHistory(channelId, pageSize, hasOlder, messages);
  const divider = useUnreadDivider({
    initial,
    hasOlder,
    readSeq,
    meId,
    messages,
    older: history.older,
    loadOlder: () => loadOlder(false),
    onFound(index) {
      scroll.showUnreadNext();
      view.value = windowAtUnread(index, messages.value.length);
    },
  });
  const scroll = useScrollKeeper(divider.openAtUnread, onScroll, lit.value ? openAt : undefined);
  const reader = useReadMarker(channelId, messages, readSeq, () => scroll.stick.current);
  const members = useMentionable(serverId, mentionable);
  useLastOwnMessage(messages, meId);

  useEffect(() => {
    local.value = true;
    followTaps();
    if (lit.value) setTimeout(() => lit.value = null, HIGHLIGHT_MS);
    // Custom emoji show as images: their list loads when the page holds one.
    if (
      initial.some((message) =>
        CUSTOM.test(message.content) || message.reactions?.some((r) => r.emoji.startsWith(":"))
      )
    ) loadCustomEmoji(serverId);
    // The search panel (islands/search/) asks for a jump to a result in this channel.
    addEventListener("salon:jump", (event) => {
      const { detail } = event as CustomEvent<JumpRequest>;
      if (detail.channelId !== channelId) return;
      event.preventDefault();
      jumpTo(detail.id, detail.seq);
    });
  }, []);

  /** Stable across renders (message rows are memoised on them). */
  const handlers = useSignal({
    onReact(message: ShownMessage, anchor: HTMLElement) {
      loadCustomEmoji(serverId);
      picking.value = { message, anchor };
    },
    onJump(id: string, seq: number) {
      void jumpTo(id, seq);
    },
  }).peek();

  /** Scrolls to the message (loading the history around it if needed) and highlights it. */
  function jumpTo(id: string, seq: number) {
    // Rare: its code loads with the first jump (runtime/load_around.ts).
    void import("./runtime/load_around.ts").then((loaded) =>
      loaded.jumpTo(
        {
          messages,
          view,
          lit,
          note: jumpNote,
          loadAround: history.loadAround,
          centerOn: scroll.centerOn,
          leaveBottom: () => atBottom.value = false,
          pageOf: (seq) => `/chat/${serverId}/${channelId}?m=${seq}`,
          highlightMs: HIGHLIGHT_MS,
        },
        id,
        seq,
      )
    );
  }

  /** Loads the page before the first loaded message; false if that failed. */
  function loadOlder(keepView: boolean): Promise<boolean> {
    return history.loadOlder({
      beforeMerge: keepView ? scroll.captureAnchor : undefined,
      afterMerge: (added) => {
        view.value = windowAfterPrepend(view.value, added, messages.value.length);
      },
    });
  }

  function onScroll() {
    const fromBottom = scroll.fromBottom();
    scroll.stick.current = view.value.end === null && fromBottom < STICK_PX;
    atBottom.value = scroll.stick.current;
    reader.reportReading();
    if (scroll.stick.current) {
      unseen.value = 0;
      reader.markRead();
    }
    if (scroll.placing()) return; // a change is on its way
    const length = messages.value.length;
    if (scroll.scroller.current!.scrollTop < EDGE_PX) {
      if (view.value.start > 0) {
        scroll.captureAnchor();
        view.value = windowUp(view.value, length);
      } else void loadOlder(true);
    } else if (fromBottom < EDGE_PX && view.value.end !== null) {
      scroll.captureAnchor();
      view.value = windowDown(view.value, length);
    }
  }

  function jumpToLatest() {
    scroll.jumpToBottomNext();
    atBottom.value = true;
    unseen.value = 0;
    view.value = latestWindow(messages.value.length);
  }

  const pending = outbox.value.filter((item) => item.channelId === channelId);
  // A deleted message goes, as it is gone after a reload (its slot stays in the loaded list so
  // the window's indexes hold; a reply to it says "Original message deleted").
  const shown = inWindow(messages.value, view.value).filter((message) => !message.deleted);
  const groups = groupMessages(shown, dayOf(local.value), divider.firstUnread.value);
  const editingId = editing.value?.id;
  // Live once the page's server state exists (a role given or taken shows at once).
  const live = serverState.value;
  const shownChannel = live?.channels.find((channel) => channel.id === channelId);
  const mayModerate = live && shownChannel && meId
    ? channelPermissions(live, meId, shownChannel).has("manage_messages")
    : canModerate;
  const linkOf = (seq: number) => `/chat/${serverId}/${channelId}?m=${seq}`;
  return (
    <div class="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={scroll.scroller}
        onScroll={onScroll}
        class="min-h-0 flex-1 overflow-y-auto overscroll-contain px-4 py-3"
        data-testid="message-list"
      >
        <ChannelStart
          channelName={channelName}
          more={history.older.value || view.value.start > 0}
          loading={history.loading.value}
        />
        <div role="log" aria-live="polite" aria-label={`Messages in ${channelName}`}>
          <ol class="space-y-3">
            {groups.map((group) => (
              <Fragment key={group.key}>
                {group.firstUnread && <UnreadDivider />}
                {group.newDay && <DayDivider label={dayLabel(group.startedAt, local.value)} />}
                <MessageGroup
                  group={group}
                  local={local.value}
                  me={me}
                  meId={meId}
                  mentionable={members.value}
                  canModerate={mayModerate}
                  canPin={mayModerate}
                  editingId={editingId}
                  highlightId={lit.value}
                  hydrated={local.value}
                  deleteAction={(id) => `/chat/${serverId}/${channelId}/messages/${id}/delete`}
                  linkOf={linkOf}
                  onDeleted={markDeleted}
                  onReact={handlers.onReact}
                  onJump={handlers.onJump}
                />
              </Fragment>
            ))}
            <PendingMessages items={pending} />
          </ol>
        </div>
      </div>
      {!atBottom.value && <JumpToLatest unseen={unseen.value} onJump={jumpToLatest} />}
      {jumpNote.value && (
        <p role="status" class="px-4 py-1 text-xs text-slate-600 dark:text-slate-300">
          {jumpNote.value}
        </p>
      )}
      {picking.value && (
        <LazyEmojiPicker
          onPick={async (emoji) => {
            const chosen = picking.value;
            picking.value = null;
            chosen?.anchor.focus();
            if (!chosen) return;
            const result = await setReaction(chosen.message.id, emoji, true);
            if (!result.ok) jumpNote.value = result.error.message;
          }}
          onClose={() => {
            const anchor = picking.value?.anchor;
            picking.value = null;
            anchor?.focus();
          }}
        />
      )}
    </div>
  );
}
