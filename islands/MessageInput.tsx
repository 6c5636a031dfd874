/**
 * The composer. Without JavaScript it is a form that posts the message and comes back; hydrated,
 * Enter sends over the socket (Shift+Enter adds a line), the message shows at once as pending,
 * and typing is announced at most every few seconds. ↑ in an empty composer edits the reader's
 * last message (Enter saves, Esc cancels).
 *
 * A reply being written shows `Replying to <name>` with `Cancel reply` (a message's Reply sets
 * it; without JavaScript the page's `?reply=` does, and a hidden field carries it). `@` and
 * `:shortcode:` offer completions (members; emoji, whose data loads on the first `:`).
 *
 * Files: `Attach files` (a file chooser), a paste of files or a drop on the composer or the
 * message list adds them to a tray above the composer, where each uploads at once with its
 * progress and a Cancel. Send is disabled while an upload is on its way ("Waiting for uploads"),
 * then sends the files with the text (which may then be empty). The code for all of it
 * (attachments/composer_files.tsx) loads with the first file.
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
import type { TrayItem } from "./attachments/tray.ts";

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
  /** What the composer is named after `Message ` (default `#<channelName>`; `@<name>` in a DM). */
  composerName?: string;
}

/** Completions shown at most. */
const SUGGESTIONS_MAX = 8;

type Suggestions = typeof import("./runtime/suggestions.tsx");
let suggestionsModule: Promise<Suggestions> | null = null;

type ComposerFiles = typeof import("./attachments/composer_files.tsx");
let filesModule: Promise<ComposerFiles> | null = null;

/** Typing events are sent at most this often (the server also throttles). */
const TYPING_EVERY_MS = 3000;

export default function MessageInput(
  { channelId, channelName, action, maxLength, replyTo, pageUrl, composerName }: MessageInputProps,
) {
  const named = composerName ?? `#${channelName}`;
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
  /** Files to send with the message, and the code that uploads them (loaded with the first). */
  const tray = useSignal<TrayItem[]>([]);
  const files = useSignal<ComposerFiles | null>(null);
  const fileNote = useSignal<string | null>(null);
  /** A message with files is on its way (over HTTP). */
  const sendingFiles = useSignal(false);
  const picker = useRef<HTMLInputElement>(null);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    startSocket();
    if (replyTo) replying.value = { ...replyTo, channelId };
    mounted.value = true;
    return watchDrops();
  }, []);

  /** Adds files to the tray (loading the code that uploads them the first time). */
  function attach(list: File[]) {
    if (list.length === 0) return;
    filesModule ??= import("./attachments/composer_files.tsx");
    filesModule.then((loaded) => {
      files.value = loaded;
      fileNote.value = loaded.startUploads(channelId, list, tray);
    }, () => {
      filesModule = null;
      fileNote.value = "Could not load the uploader: try again.";
    });
  }

  /** Files dragged onto the composer or the message list are dropped there (and attached). */
  function watchDrops(): () => void {
    const onDrag = (event: DragEvent) => {
      const target = event.target as Element;
      if (
        !event.dataTransfer?.types.includes("Files") ||
        !(target.closest?.("[data-testid=message-list]") || form.current?.contains(target))
      ) return;
      event.preventDefault();
      if (event.type === "drop") attach([...event.dataTransfer.files]);
    };
    const types = ["dragover", "drop"] as const;
    for (const type of types) document.addEventListener(type, onDrag);
    return () => types.forEach((type) => document.removeEventListener(type, onDrag));
  }

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
    if ([...content].length > maxLength) return;
    const target = editing.value;
    if (target) {
      if (!content) return;
      if (content === target.content) return stopEditing();
      const error = await saveEdit(target.id, content);
      if (error) editError.value = error;
      else stopEditing();
      return;
    }
    if (tray.value.length > 0) {
      // With files: sent over HTTP once no upload is on its way (composer_files.tsx).
      if (busy()) return;
      sendingFiles.value = true;
      const error = await files.value!.sendTray(channelId, content, tray, reply?.id);
      sendingFiles.value = false;
      fileNote.value = error;
      if (error === null) sent();
      return;
    }
    if (!content) return;
    submit(channelId, content, reply?.id);
    sent();
  }

  /** An upload is on its way: Send waits for it. */
  function busy() {
    return sendingFiles.value || tray.value.some((item) => item.status === "uploading");
  }

  /** The composer after a send: empty, no reply, no completion. */
  function sent() {
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
  const waiting = !editing.value && busy();
  const offered = suggestions();
  const current = Math.min(active.value, offered.length - 1);
  return (
    <form
      ref={form}
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
      {files.value && tray.value.length > 0 && !editing.value &&
        files.value.AttachmentTray({
          items: tray.value,
          onCancel: (key) => files.value?.cancelFile(tray, key),
        })}
      <div class="flex items-end gap-2 rounded-xl bg-slate-100 px-3 py-2 dark:bg-slate-800">
        {mounted.value && !editing.value && (
          <>
            <button
              type="button"
              aria-label="Attach files"
              title="Attach files"
              onClick={() => picker.current?.click()}
              class="-ml-1 shrink-0 rounded-lg p-1.5 text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-700"
            >
              <svg
                aria-hidden="true"
                viewBox="0 0 24 24"
                class="h-5 w-5 fill-none stroke-current stroke-2"
              >
                <path d="M12 5v14M5 12h14" />
              </svg>
            </button>
            <input
              ref={picker}
              type="file"
              multiple
              hidden
              tabIndex={-1}
              data-testid="attach-input"
              onChange={(event) => {
                const input = event.currentTarget;
                attach([...(input.files ?? [])]);
                input.value = "";
              }}
            />
          </>
        )}
        <label for="composer" class="sr-only">
          {editing.value ? "Edit your message" : `Message ${named}`}
        </label>
        <textarea
          id="composer"
          ref={field}
          name="content"
          rows={1}
          required={tray.value.length === 0}
          value={text.value}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onPaste={(event) => {
            const pasted = [...(event.clipboardData?.files ?? [])];
            if (pasted.length === 0 || editing.value) return;
            event.preventDefault();
            attach(pasted);
          }}
          placeholder={`Message ${named}`}
          aria-invalid={tooLong ? "true" : undefined}
          aria-controls={offered.length > 0 ? "composer-suggestions" : undefined}
          aria-activedescendant={offered.length > 0 ? `composer-suggestion-${current}` : undefined}
          onBlur={() => query.value = null}
          class="max-h-48 min-h-6 flex-1 resize-none bg-transparent py-1 text-base outline-none [field-sizing:content]"
        />
        <button
          type="submit"
          class="rounded-lg bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600 disabled:opacity-50"
          disabled={tooLong || waiting}
        >
          {editing.value ? "Save" : "Send"}
        </button>
      </div>
      {waiting && (
        <p role="status" class="mt-1 text-xs text-slate-600 dark:text-slate-300">
          {sendingFiles.value ? "Sending…" : "Waiting for uploads to finish before sending…"}
        </p>
      )}
      {fileNote.value && (
        <p role="alert" class="mt-1 text-xs text-red-600 dark:text-red-400">{fileNote.value}</p>
      )}
      {editError.value && (
        <p role="alert" class="mt-1 text-xs text-red-600 dark:text-red-400">{editError.value}</p>
      )}
      {tooLong && (
        <p class="mt-1 text-xs text-red-600">Messages can be at most {maxLength} characters.</p>
      )}
    </form>
  );
}
