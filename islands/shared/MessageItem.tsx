/**
 * One message of the list: its text (markdown-lite), "(edited)" on its last line, the deleted
 * placeholder, and the actions its reader may use. Memoised: a list re-rendered for a new
 * message re-renders only the messages that changed (the list keeps unchanged message objects
 * as they are), which keeps delivery-to-screen short in long conversations.
 */
import { useComputed } from "@preact/signals";
import { pure } from "./pure.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";
import { tappedMessage } from "../runtime/message_actions.ts";
import { MessageActions } from "../components/MessageActions.tsx";
import { renderMarkdown } from "./markdown.tsx";
import { fullTime } from "./times.ts";

export interface MessageItemProps {
  message: ShownMessage;
  /** The reader's username: mentions of them stand out. */
  me?: string;
  /** Who can be mentioned (the server's members); unknown: every `@name` is highlighted. */
  mentionable?: ReadonlySet<string>;
  /** The reader wrote it: they may edit it. */
  own: boolean;
  /** The reader may delete it (theirs, or they moderate). */
  canDelete: boolean;
  /** It is being edited in the composer. */
  editing: boolean;
  /** Where the delete form posts without JavaScript. */
  deleteAction: string;
  /** Stable across renders (memoisation compares it). */
  onDeleted: (id: string) => void;
}

export const MessageItem = pure(function MessageItem(
  { message, me, mentionable, own, canDelete, editing, deleteAction, onDeleted }: MessageItemProps,
) {
  // A computed flag: a tap re-renders the two messages it concerns, not every message.
  const open = useComputed(() => tappedMessage.value === message.id);
  const edited = message.editedAt && (
    <span
      data-edited=""
      class="ml-1 whitespace-nowrap text-xs text-slate-500 dark:text-slate-400"
      title={fullTime(message.editedAt)}
    >
      (edited)
    </span>
  );
  return (
    <div class="group relative" data-message-id={message.id}>
      <div
        data-seq={message.seq}
        class={`min-w-0 break-words [overflow-wrap:anywhere] ${
          message.deleted ? "italic text-slate-500 dark:text-slate-400" : ""
        } ${editing ? "rounded bg-amber-50 ring-1 ring-amber-300 dark:bg-amber-950" : ""}`}
      >
        {message.deleted
          ? "Message deleted"
          : renderMarkdown(message.content, { me, mentionable, trailer: edited || undefined })}
      </div>
      <MessageActions
        message={message}
        own={own}
        canDelete={canDelete}
        open={open.value}
        deleteAction={deleteAction}
        onDeleted={onDeleted}
      />
    </div>
  );
});
