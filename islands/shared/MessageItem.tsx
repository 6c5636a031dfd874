/**
 * One message of the list: its text (markdown-lite), "(edited)", the deleted placeholder, and
 * the Edit / Delete controls its reader may use. Memoised: a list re-rendered for a new message
 * re-renders only the messages that changed (the list keeps unchanged message objects as they
 * are), which keeps delivery-to-screen short in long conversations.
 */
import { useSignal } from "@preact/signals";
import { pure } from "./pure.ts";
import { startEditing } from "../runtime/editing.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";
import { renderMarkdown } from "./markdown.tsx";
import { fullTime } from "./times.ts";

export interface MessageItemProps {
  message: ShownMessage;
  /** The reader's username: mentions of them stand out. */
  me?: string;
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
            : "text-slate-500 dark:text-slate-400 opacity-0 hover:text-red-600 focus:opacity-100 group-hover:opacity-100"
        }`}
      >
        {armed.value ? "Confirm delete" : "Delete"}
      </button>
    </form>
  );
}

export const MessageItem = pure(function MessageItem(
  { message, me, own, canDelete, editing, deleteAction, onDeleted }: MessageItemProps,
) {
  return (
    <div class="group flex items-start gap-2">
      <div
        data-seq={message.seq}
        class={`min-w-0 flex-1 break-words [overflow-wrap:anywhere] ${
          message.deleted ? "italic text-slate-500 dark:text-slate-400" : ""
        } ${editing ? "rounded bg-amber-50 ring-1 ring-amber-300 dark:bg-amber-950" : ""}`}
      >
        {message.deleted ? "Message deleted" : renderMarkdown(message.content, me)}
        {message.editedAt && !message.deleted && (
          <span
            class="ml-1 text-xs text-slate-500 dark:text-slate-400"
            title={fullTime(message.editedAt)}
          >
            (edited)
          </span>
        )}
      </div>
      {!message.deleted && own && (
        <button
          type="button"
          class="shrink-0 rounded px-1.5 text-xs text-slate-500 opacity-0 hover:text-slate-900 focus:opacity-100 group-hover:opacity-100 dark:text-slate-400 dark:hover:text-white"
          onClick={() => startEditing({ id: message.id, content: message.content })}
        >
          Edit
        </button>
      )}
      {!message.deleted && canDelete && (
        <DeleteButton
          action={deleteAction}
          messageId={message.id}
          onDeleted={() => onDeleted(message.id)}
        />
      )}
    </div>
  );
});
