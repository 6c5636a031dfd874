/**
 * A run of messages by one author: avatar, name and time once, then each message. The time's
 * full date shows on hover and on keyboard focus (a title does not show on focus).
 */
import type { MessageGroup as Group } from "../runtime/message_groups.ts";
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
  /** The id of the message being edited, if any. */
  editingId?: string;
  /** Where a message's delete form posts without JavaScript. */
  deleteAction: (messageId: string) => string;
  onDeleted: (id: string) => void;
}

export function MessageGroup(
  { group, local, me, meId, mentionable, canModerate, editingId, deleteAction, onDeleted }:
    MessageGroupProps,
) {
  return (
    <li class="flex gap-3">
      <UserAvatar user={group.author} class="mt-0.5 h-10 w-10" decorative />
      <div class="min-w-0 flex-1">
        <p class="flex items-baseline gap-2">
          <span class="truncate font-semibold">{group.author.displayName}</span>
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
            own={message.author.id === meId}
            canDelete={message.author.id === meId || !!canModerate}
            editing={editingId === message.id}
            deleteAction={deleteAction(message.id)}
            onDeleted={onDeleted}
          />
        ))}
      </div>
    </li>
  );
}
