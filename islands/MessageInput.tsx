/**
 * The composer. Without JavaScript it is a form that posts the message and comes back; hydrated,
 * Enter sends over the socket (Shift+Enter adds a line), the message shows at once as pending,
 * and typing is announced at most every few seconds. ↑ in an empty composer edits the reader's
 * last message (Enter saves, Esc cancels).
 *
 * A reply being written shows `Replying to <name>` with `Cancel reply` (a message's Reply sets
 * it; without JavaScript the page's `?reply=` does, and a hidden field carries it). `@` and
 * `:shortcode:` offer completions (members; emoji, whose data loads on the first `:`).
 */
import { useSignal, useSignalEffect } from "@preact/signals";
import { editing, lastOwnMessage, saveEdit } from "./runtime/editing.ts";
import { replying } from "./runtime/conversation_ui.ts";
import { completionAt } from "./runtime/completion_query.ts";
import type { CompletionQuery } from "./runtime/completion_query.ts";
import type { PickerEmoji } from "./runtime/emoji_data.ts";
import type { Suggestion } from "./runtime/suggestions.tsx";
import { submit } from "./runtime/outbox.ts";
import { serverState } from "./runtime/server_state.ts";
import { sendFrame, startSocket } from "./runtime/socket_client.ts";
import { useEffect, useRef } from "preact/hooks";

export interface MessageInputProps {
  channelId: string;
  channelName: string;
  /** Where the form posts without JavaScript. */
  action: string;
  maxLength: number;
  /** The page's `?reply=`: the message the no-JS form answers. */
  replyTo?: { id: string; name: string };
  /** The channel page without `?reply=` (Cancel reply without JavaScript). */
  pageUrl?: string;
}

/** Completions shown at most. */
const SUGGESTIONS_MAX = 8;

type Suggestions = typeof import("./runtime/suggestions.tsx");
let suggestionsModule: Promise<Suggestions> | null = null;

/** Typing events are sent at most this often (the server also throttles). */
const TYPING_EVERY_MS = 3000;

export default function MessageInput(
  { channelId, channelName, action, maxLength, replyTo, pageUrl }: MessageInputProps,
) {
  const text = useSignal("");
  const mounted = useSignal(false);
  const query = useSignal<CompletionQuery | null>(null);
  const active = useSignal(0);
  const emojiData = useSignal<PickerEmoji[] | null>(null);
  /** The suggestions' code, imported when a first `@` or `:` query appears. */
  const completer = useSignal<Suggestions | null>(null);
  const lastTyping = useRef(0);
  const field = useRef<HTMLTextAreaElement>(null);
  const editError = useSignal<string | null>(null);
  /** What the composer held before an edit began, given back when it ends. */
  const draft = useRef("");

  useEffect(() => {
    startSocket();
    if (replyTo) replying.value = { ...replyTo, channelId };
    mounted.value = true;
  }, []);

  // The reply in progress: the page's before hydration, the shared one after.
  const reply = mounted.value
    ? (replying.value?.channelId === channelId ? replying.value : null)
    : replyTo ?? null;

  function suggestions(): Suggestion[] {
    const q = query.value;
    if (!q || !completer.value) return [];
    const members = (serverState.value?.members ?? []).map((member) => member.user);
    return completer.value.suggest(q, members, emojiData.value, SUGGESTIONS_MAX);
  }

  function updateQuery(element: HTMLTextAreaElement) {
    const next = completionAt(element.value, element.selectionStart ?? element.value.length);
    query.value = next;
    active.value = 0;
    if (!next) return;
    suggestionsModule ??= import("./runtime/suggestions.tsx");
    suggestionsModule.then((loaded) => {
      completer.value = loaded;
      if (next.kind === "emoji" && !emojiData.value) {
        loaded.loadEmojiData().then((data) => emojiData.value = data, () => {});
      }
    }, () => suggestionsModule = null);
  }

  function accept(choice: Suggestion) {
    const element = field.current;
    const q = query.value;
    if (!element || !q) return;
    const caret = element.selectionStart ?? element.value.length;
    const next = completer.value!.applyCompletion(element.value, caret, q, choice.insert);
    text.value = next.text;
    query.value = null;
    queueMicrotask(() => {
      element.focus();
      element.setSelectionRange(next.caret, next.caret);
    });
  }

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
    submit(channelId, content, reply?.id);
    replying.value = null;
    query.value = null;
    text.value = "";
    lastTyping.current = 0;
  }

  function onInput(event: Event) {
    text.value = (event.currentTarget as HTMLTextAreaElement).value;
    updateQuery(event.currentTarget as HTMLTextAreaElement);
    const now = Date.now();
    if (text.value && !editing.value && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      sendFrame({ type: "typing", channelId });
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.isComposing) return;
    const offered = suggestions();
    if (offered.length > 0) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const by = event.key === "ArrowDown" ? 1 : -1;
        active.value = (active.value + by + offered.length) % offered.length;
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        accept(offered[Math.min(active.value, offered.length - 1)]);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        query.value = null;
        return;
      }
    }
    if (event.key === "Escape" && reply && !editing.value) {
      event.preventDefault();
      replying.value = null;
      return;
    }
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
  const offered = suggestions();
  const current = Math.min(active.value, offered.length - 1);
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
      {reply && !editing.value && (
        <div class="mb-1 flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
          <span class="min-w-0 truncate">
            Replying to <span class="font-semibold">{reply.name}</span>
          </span>
          <input type="hidden" name="replyTo" value={reply.id} />
          {/* Without JavaScript, back to the page without ?reply=. */}
          <a
            href={pageUrl ?? "?"}
            role="button"
            class="font-semibold underline"
            onClick={(event) => {
              event.preventDefault();
              replying.value = null;
              field.current?.focus();
            }}
          >
            Cancel reply
          </a>
        </div>
      )}
      {offered.length > 0 && completer.value &&
        completer.value.SuggestionList({ offered, current, onPick: accept })}
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
          aria-controls={offered.length > 0 ? "composer-suggestions" : undefined}
          aria-activedescendant={offered.length > 0 ? `composer-suggestion-${current}` : undefined}
          onBlur={() => query.value = null}
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
