/**
 * The composer. Without JavaScript it is a form that posts the message and comes back; hydrated,
 * Enter sends over the socket (Shift+Enter adds a line), the message shows at once as pending,
 * and typing is announced at most every few seconds. ↑ in an empty composer edits the reader's
 * last message (Enter saves, Esc cancels).
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { editing, lastOwnMessage, saveEdit } from "./runtime/editing.ts";
import { submit } from "./runtime/outbox.ts";
import { sendFrame, startSocket } from "./runtime/socket_client.ts";
import { useEffect, useRef } from "preact/hooks";

export interface MessageInputProps {
  channelId: string;
  channelName: string;
  /** Where the form posts without JavaScript. */
  action: string;
  maxLength: number;
}

/** Typing events are sent at most this often (the server also throttles). */
const TYPING_EVERY_MS = 3000;

export default function MessageInput(
  { channelId, channelName, action, maxLength }: MessageInputProps,
) {
  const text = useSignal("");
  const lastTyping = useRef(0);
  const field = useRef<HTMLTextAreaElement>(null);
  const editError = useSignal<string | null>(null);
  /** What the composer held before an edit began, given back when it ends. */
  const draft = useRef("");

  useEffect(() => startSocket(), []);

  // An edit started here (↑) or from a message's Edit button: its text comes into the composer.
  useSignalEffect(() => {
    const target = editing.value;
    editError.value = null;
    if (target) {
      if (text.peek() !== target.content) draft.current = text.peek();
      text.value = target.content;
      queueMicrotask(() => {
        const element = field.current;
        element?.setSelectionRange(element.value.length, element.value.length);
      });
    }
  });

  function stopEditing() {
    editing.value = null;
    text.value = draft.current;
    draft.current = "";
  }

  async function send() {
    const content = text.value.trim();
    if (!content || [...content].length > maxLength) return;
    const target = editing.value;
    if (target) {
      if (content === target.content) return stopEditing();
      const error = await saveEdit(target.id, content);
      if (error) editError.value = error;
      else stopEditing();
      return;
    }
    submit(channelId, content);
    text.value = "";
    lastTyping.current = 0;
  }

  function onInput(event: Event) {
    text.value = (event.currentTarget as HTMLTextAreaElement).value;
    const now = Date.now();
    if (text.value && !editing.value && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      sendFrame({ type: "typing", channelId });
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.isComposing) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void send();
    } else if (event.key === "ArrowUp" && !text.value && !event.altKey && lastOwnMessage.value) {
      event.preventDefault();
      editing.value = lastOwnMessage.value;
    } else if (event.key === "Escape" && editing.value) {
      event.preventDefault();
      stopEditing();
    }
  }

  const tooLong = [...text.value].length > maxLength;
  return (
    <form
      method="post"
      action={action}
      class="border-t border-slate-200 p-3 dark:border-slate-800"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
        field.current?.focus();
      }}
    >
      {editing.value && (
        <p class="mb-1 flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
          <span class="font-semibold">Editing message</span>
          <span>Enter to save · Esc to</span>
          <button type="button" class="font-semibold underline" onClick={stopEditing}>
            cancel
          </button>
        </p>
      )}
      <div class="flex items-end gap-2 rounded-xl bg-slate-100 px-3 py-2 dark:bg-slate-800">
        <label for="composer" class="sr-only">
          {editing.value ? "Edit your message" : `Message #${channelName}`}
        </label>
        <textarea
          id="composer"
          ref={field}
          name="content"
          rows={1}
          required
          value={text.value}
          onInput={onInput}
          onKeyDown={onKeyDown}
          placeholder={`Message #${channelName}`}
          aria-invalid={tooLong ? "true" : undefined}
          class="max-h-48 min-h-6 flex-1 resize-none bg-transparent py-1 text-base outline-none [field-sizing:content]"
        />
        <button
          type="submit"
          class="rounded-lg bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600 disabled:opacity-50"
          disabled={tooLong}
        >
          {editing.value ? "Save" : "Send"}
        </button>
      </div>
      {editError.value && (
        <p role="alert" class="mt-1 text-xs text-red-600 dark:text-red-400">{editError.value}</p>
      )}
      {tooLong && (
        <p class="mt-1 text-xs text-red-600">Messages can be at most {maxLength} characters.</p>
      )}
    </form>
  );
}
