/**
 * The actions on one message (API.md's screen names: Reply, Add reaction, Edit, Delete,
 * Pin/Unpin, Copy link), in a small toolbar laid over the row's top right corner, as Discord
 * does: hidden, it takes no room, so one's own messages are as wide as anyone else's. It shows
 * on hover, while a button in it has focus, and when the message was tapped (then under it).
 *
 * Without JavaScript, Reply is a form that opens the page with `?reply=` (the composer's form
 * then answers that message) and Delete a form that posts; the others need the islands, so
 * they show once hydrated.
 */
import type { Signal } from "@preact/signals";
import { useSignal } from "@preact/signals";
import { startEditing } from "../runtime/editing.ts";
import { deleteMessage, setPinned } from "../runtime/api.ts";
import { replying } from "../runtime/conversation_ui.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";

/** A first press of Delete stays armed this long, waiting for the confirming one. */
const DELETE_ARMED_MS = 4000;
/** "Link copied" shows this long. */
const COPIED_MS = 2500;

export interface MessageActionsProps {
  message: ShownMessage;
  /** Who reads is known (a signed-in page): without one, no actions at all. */
  reader: boolean;
  /** The reader wrote it: they may edit it. */
  own: boolean;
  /** The reader may delete it (theirs, or they moderate). */
  canDelete: boolean;
  /** The reader may pin it (manage_messages). */
  canPin: boolean;
  /** Tapped on a touch screen: shown until a tap elsewhere. */
  open: boolean;
  /** The islands run: the actions that need them show. */
  hydrated: boolean;
  /** Where the delete form posts without JavaScript. */
  deleteAction: string;
  /** The message's link (`/chat/:server/:channel?m=<seq>`). */
  link: string;
  onDeleted: (id: string) => void;
  /** Opens the emoji picker for this message, next to `anchor`. */
  onReact: (message: ShownMessage, anchor: HTMLElement) => void;
}

const BUTTON =
  "rounded px-1.5 py-0.5 text-xs text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white";

/** The toolbar; nothing for a deleted message, or when nobody in particular reads. */
export function MessageActions(
  {
    message,
    reader,
    own,
    canDelete,
    canPin,
    open,
    hydrated,
    deleteAction,
    link,
    onDeleted,
    onReact,
  }: MessageActionsProps,
) {
  const armed = useSignal(false);
  const copied = useSignal(false);
  const failed = useSignal<string | null>(null);
  if (message.deleted || !reader) return null;
  const shown = open || armed.value || copied.value;

  async function copy() {
    const url = new URL(link, location.href).href;
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // No clipboard access (an old browser, or permission refused): the old way.
      const field = document.createElement("textarea");
      field.value = url;
      document.body.append(field);
      field.select();
      document.execCommand("copy");
      field.remove();
    }
    copied.value = true;
    setTimeout(() => copied.value = false, COPIED_MS);
  }

  async function pin() {
    const result = await setPinned(message.channelId, message.id, !message.pinned);
    failed.value = result.ok ? null : result.error.message;
  }

  return (
    <div
      // Tapped (a touch screen), the row of actions goes under the text, in the flow: laid over
      // it, six of them would cover a phone-wide message.
      class={`${
        open ? "relative mt-1 w-fit flex-wrap" : "absolute -top-3 right-0"
      } z-10 flex items-center gap-0.5 rounded-md border border-slate-200 bg-white p-0.5 shadow-sm focus-within:pointer-events-auto focus-within:opacity-100 group-hover:pointer-events-auto group-hover:opacity-100 dark:border-slate-700 dark:bg-slate-900 ${
        shown ? "opacity-100" : "pointer-events-none opacity-0"
      }`}
      data-message-actions=""
    >
      <form
        method="get"
        onSubmit={(event) => {
          event.preventDefault();
          replying.value = {
            id: message.id,
            channelId: message.channelId,
            name: message.author.displayName,
          };
          document.getElementById("composer")?.focus();
        }}
      >
        <input type="hidden" name="reply" value={message.id} />
        <button type="submit" class={BUTTON}>Reply</button>
      </form>
      {hydrated && (
        <button
          type="button"
          class={BUTTON}
          aria-haspopup="dialog"
          onClick={(event) => onReact(message, event.currentTarget)}
        >
          Add reaction
        </button>
      )}
      {own && hydrated && (
        <button
          type="button"
          class={BUTTON}
          onClick={() => startEditing({ id: message.id, content: message.content })}
        >
          Edit
        </button>
      )}
      {canPin && hydrated && (
        <button type="button" class={BUTTON} onClick={pin}>
          {message.pinned ? "Unpin" : "Pin"}
        </button>
      )}
      {hydrated && <button type="button" class={BUTTON} onClick={copy}>Copy link</button>}
      {canDelete && (
        <DeleteButton
          action={deleteAction}
          armed={armed}
          onConfirmed={async () => {
            const result = await deleteMessage(message.id);
            if (result.ok) onDeleted(message.id);
            else failed.value = result.error.message;
          }}
        />
      )}
      <span role="status" class="empty:hidden px-1 text-xs text-emerald-700 dark:text-emerald-300">
        {copied.value ? "Link copied" : ""}
      </span>
      {failed.value && (
        <span role="alert" class="px-1 text-xs text-red-600 dark:text-red-400">
          {failed.value}
        </span>
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
