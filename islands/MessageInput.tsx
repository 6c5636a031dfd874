/**
 * The composer. Without JavaScript it is a form that posts the message and comes back; hydrated,
 * Enter sends over the socket (Shift+Enter adds a line), the message shows at once as pending,
 * and typing is announced at most every few seconds.
 */
import { useSignal } from "@preact/signals";
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

  useEffect(() => startSocket(), []);

  function send() {
    const content = text.value.trim();
    if (!content || [...content].length > maxLength) return;
    submit(channelId, content);
    text.value = "";
    lastTyping.current = 0;
  }

  function onInput(event: Event) {
    text.value = (event.currentTarget as HTMLTextAreaElement).value;
    const now = Date.now();
    if (text.value && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      sendFrame({ type: "typing", channelId });
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
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
        send();
        field.current?.focus();
      }}
    >
      <div class="flex items-end gap-2 rounded-xl bg-slate-100 px-3 py-2 dark:bg-slate-800">
        <label for="composer" class="sr-only">Message #{channelName}</label>
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
          Send
        </button>
      </div>
      {tooLong && (
        <p class="mt-1 text-xs text-red-600">Messages can be at most {maxLength} characters.</p>
      )}
    </form>
  );
}
