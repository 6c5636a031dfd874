/**
 * The actions on one message (Edit, Delete), in a small toolbar laid over the row's top right
 * corner, as Discord does: hidden, it takes no room, so one's own messages are as wide as anyone
 * else's. It shows on hover, while a button in it has focus, and when the message was tapped.
 */
import type { Signal } from "@preact/signals";
import { useSignal } from "@preact/signals";
import { startEditing } from "../runtime/editing.ts";
import { deleteMessage } from "../runtime/api.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";

/** A first press of Delete stays armed this long, waiting for the confirming one. */
const DELETE_ARMED_MS = 4000;

export interface MessageActionsProps {
  message: ShownMessage;
  /** The reader wrote it: they may edit it. */
  own: boolean;
  /** The reader may delete it (theirs, or they moderate). */
  canDelete: boolean;
  /** Tapped on a touch screen: shown until a tap elsewhere. */
  open: boolean;
  /** Where the delete form posts without JavaScript. */
  deleteAction: string;
  onDeleted: (id: string) => void;
}

const BUTTON =
  "rounded px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white";

/** The toolbar; nothing at all for a message the reader can do nothing with. */
export function MessageActions(
  { message, own, canDelete, open, deleteAction, onDeleted }: MessageActionsProps,
) {
  const armed = useSignal(false);
  if (message.deleted || (!own && !canDelete)) return null;
  const shown = open || armed.value;
  return (
    <div
      class={`absolute -top-3 right-0 z-10 flex items-center gap-0.5 rounded-md border border-slate-200 bg-white p-0.5 shadow-sm focus-within:pointer-events-auto focus-within:opacity-100 group-hover:pointer-events-auto group-hover:opacity-100 dark:border-slate-700 dark:bg-slate-900 ${
        shown ? "opacity-100" : "pointer-events-none opacity-0"
      }`}
      data-message-actions=""
    >
      {own && (
        <button
          type="button"
          class={BUTTON}
          onClick={() => startEditing({ id: message.id, content: message.content })}
        >
          Edit
        </button>
      )}
      {canDelete && (
        <DeleteButton
          action={deleteAction}
          armed={armed}
          onConfirmed={async () => {
            const result = await deleteMessage(message.id);
            if (result.ok) onDeleted(message.id);
          }}
        />
      )}
    </div>
  );
}

/**
 * Delete, in two presses (the first arms it for a few seconds). A form, so it also works
 * without JavaScript; hydrated, it deletes through the API and the list updates at once.
 */
function DeleteButton(
  { action, armed, onConfirmed }: {
    action: string;
    armed: Signal<boolean>;
    onConfirmed: () => Promise<void>;
  },
) {
  function submit(event: Event) {
    event.preventDefault();
    if (armed.value) return void onConfirmed();
    armed.value = true;
    setTimeout(() => armed.value = false, DELETE_ARMED_MS);
  }
  return (
    <form method="post" action={action} onSubmit={submit}>
      <button
        type="submit"
        class={armed.value
          ? "rounded bg-red-600 px-1.5 py-0.5 text-xs text-white"
          : `${BUTTON} hover:text-red-600 dark:hover:text-red-400`}
      >
        {armed.value ? "Confirm delete" : "Delete"}
      </button>
    </form>
  );
}
