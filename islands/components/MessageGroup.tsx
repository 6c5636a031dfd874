/**
 * A run of messages by one author: avatar, name and time once, then each message. The time's
 * full date shows on hover and on keyboard focus (a title does not show on focus). The name
 * and the avatar open the author's profile card.
 */
import { profileOf } from "../runtime/conversation_ui.ts";
import type { MessageGroup as Group, ShownMessage } from "../runtime/message_groups.ts";
import { MessageItem } from "../shared/MessageItem.tsx";
import { UserAvatar } from "../shared/UserAvatar.tsx";
import { dayLabel, fullTime, shortTime } from "../shared/times.ts";

export interface MessageGroupProps {
  group: Group;
  /** In the browser: times in the reader's own time zone. */
  local: boolean;
  me?: string;
  meId?: string;
  mentionable?: ReadonlySet<string>;
  canModerate?: boolean;
  /** The reader may pin messages (manage_messages). */
  canPin?: boolean;
  /** The id of the message being edited, if any. */
  editingId?: string;
  /** The highlighted message's id, if any. */
  highlightId?: string | null;
  hydrated?: boolean;
  /** Where a message's delete form posts without JavaScript. */
  deleteAction: (messageId: string) => string;
  /** A message's link, by seq. */
  linkOf: (seq: number) => string;
  onDeleted: (id: string) => void;
  onReact: (message: ShownMessage, anchor: HTMLElement) => void;
  onJump: (id: string, seq: number) => void;
}

export function MessageGroup(
  {
    group,
    local,
    me,
    meId,
    mentionable,
    canModerate,
    canPin,
    editingId,
    highlightId,
    hydrated,
    deleteAction,
    linkOf,
    onDeleted,
    onReact,
    onJump,
  }: MessageGroupProps,
) {
  const openProfile = () => profileOf.value = group.author.id;
  return (
    <li class="flex gap-3">
      {/* The name is the keyboard's way to the card; the avatar is a second target for a pointer. */}
      <button
        type="button"
        tabIndex={-1}
        aria-hidden="true"
        class="mt-0.5 h-10 w-10 shrink-0 rounded-full"
        onClick={openProfile}
      >
        <UserAvatar user={group.author} class="h-10 w-10" decorative />
      </button>
      <div class="min-w-0 flex-1">
        <p class="flex items-baseline gap-2">
          <button
            type="button"
            class="truncate font-semibold hover:underline"
            aria-haspopup="dialog"
            data-author={group.author.id}
            onClick={openProfile}
          >
            {group.author.displayName}
          </button>
          <span class="relative shrink-0">
            <time
              datetime={group.startedAt}
              tabIndex={0}
              aria-describedby={`when-${group.key}`}
              class="peer rounded text-xs text-slate-500 dark:text-slate-400"
            >
              {shortTime(group.startedAt, local)}
            </time>
            <span
              id={`when-${group.key}`}
              role="tooltip"
              class="pointer-events-none absolute bottom-full left-0 z-10 mb-1 hidden whitespace-nowrap rounded bg-slate-900 px-2 py-1 text-xs text-white shadow peer-hover:block peer-focus-visible:block dark:bg-slate-700"
            >
              {local ? fullTime(group.startedAt) : dayLabel(group.startedAt, false)}
            </span>
          </span>
        </p>
        {group.messages.map((message) => (
          <MessageItem
            key={message.id}
            message={message}
            me={me}
            mentionable={mentionable}
            reader={meId !== undefined}
            own={message.author.id === meId}
            canDelete={message.author.id === meId || !!canModerate}
            canPin={canPin}
            editing={editingId === message.id}
            highlight={highlightId === message.id}
            hydrated={hydrated}
            deleteAction={deleteAction(message.id)}
            link={linkOf(message.seq)}
            onDeleted={onDeleted}
            onReact={onReact}
            onJump={onJump}
          />
        ))}
      </div>
    </li>
  );
}
