/**
 * The emoji picker: a dialog named `Emoji picker` with a searchbox `Search emoji` (API.md),
 * the server's custom emoji first, then every Unicode emoji. Typing searches by name,
 * shortcode or keyword; ←/→/↑/↓ move through the grid while the search keeps focus
 * (aria-activedescendant), Enter picks, Escape closes.
 *
 * This module is its own bundle chunk, imported when the picker first opens, and its data
 * (runtime/emoji_data.ts) is fetched then: neither weighs on the chat page's first load.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { customEmoji } from "../runtime/custom_emoji.ts";
import { loadEmojiData, searchEmoji } from "../runtime/emoji_data.ts";
import type { PickerEmoji } from "../runtime/emoji_data.ts";

/** Emoji per row of the grid (↑/↓ move by one row). */
const COLUMNS = 8;
/** Shown at most at once (a search narrows it). */
const SHOWN_MAX = 400;

export interface EmojiPickerProps {
  onPick: (emoji: string) => void;
  onClose: () => void;
}

export default function EmojiPicker({ onPick, onClose }: EmojiPickerProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const data = useSignal<PickerEmoji[] | null>(null);
  const failed = useSignal(false);
  const query = useSignal("");
  const active = useSignal(0);

  useEffect(() => {
    dialog.current?.showModal();
    loadEmojiData().then((list) => data.value = list, () => failed.value = true);
  }, []);

  const custom: PickerEmoji[] = [...customEmoji.value.keys()].map((
    name,
  ) => [`:${name}:`, name, name, "custom"]);
  const all = data.value ? [...custom, ...data.value] : custom;
  const shown = searchEmoji(all, query.value, SHOWN_MAX);
  const index = Math.min(active.value, Math.max(0, shown.length - 1));

  function move(by: number) {
    if (shown.length === 0) return;
    active.value = Math.max(0, Math.min(shown.length - 1, index + by));
    queueMicrotask(() =>
      dialog.current?.querySelector(`#emoji-option-${active.value}`)?.scrollIntoView({
        block: "nearest",
      })
    );
  }

  function onKeyDown(event: KeyboardEvent) {
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: COLUMNS,
      ArrowUp: -COLUMNS,
    };
    if (event.key in moves) {
      event.preventDefault();
      move(moves[event.key]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (shown[index]) onPick(shown[index][0]);
    }
  }

  return (
    <dialog
      ref={dialog}
      aria-label="Emoji picker"
      onClose={onClose}
      class="m-auto w-[min(22rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-3 text-slate-900 shadow-xl backdrop:bg-slate-900/20 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <div class="mb-2 flex items-center gap-2">
        <input
          type="search"
          aria-label="Search emoji"
          placeholder="Search emoji"
          autoFocus
          role="searchbox"
          aria-controls="emoji-grid"
          aria-activedescendant={shown.length > 0 ? `emoji-option-${index}` : undefined}
          value={query.value}
          onInput={(event) => {
            query.value = event.currentTarget.value;
            active.value = 0;
          }}
          onKeyDown={onKeyDown}
          class="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800"
        />
        <button
          type="button"
          aria-label="Close"
          onClick={() => dialog.current?.close()}
          class="rounded-md px-2 text-lg text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
        >
          ×
        </button>
      </div>
      {failed.value && (
        <p role="alert" class="text-sm text-red-600">The emoji could not be loaded.</p>
      )}
      {!data.value && !failed.value && <p class="text-sm text-slate-500">Loading emoji…</p>}
      <div
        id="emoji-grid"
        role="listbox"
        aria-label="Emoji"
        class="grid max-h-64 grid-cols-8 gap-0.5 overflow-y-auto"
      >
        {shown.map(([emoji, name], i) => (
          <div
            key={emoji}
            id={`emoji-option-${i}`}
            role="option"
            aria-selected={i === index ? "true" : "false"}
            aria-label={name}
            title={name}
            data-emoji={emoji}
            onClick={() => onPick(emoji)}
            class={`flex h-9 cursor-pointer items-center justify-center rounded text-xl ${
              i === index ? "bg-brand-100 ring-2 ring-brand-500 dark:bg-slate-700" : ""
            } hover:bg-slate-100 dark:hover:bg-slate-800`}
          >
            {emoji.startsWith(":")
              ? (
                <img
                  src={customEmoji.value.get(emoji.slice(1, -1))}
                  alt={emoji}
                  class="h-6 w-6 object-contain"
                />
              )
              : emoji}
          </div>
        ))}
      </div>
      {data.value && shown.length === 0 && (
        <p class="text-sm text-slate-500">No emoji match “{query.value}”.</p>
      )}
    </dialog>
  );
}
