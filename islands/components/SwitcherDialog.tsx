/**
 * The quick switcher's dialog (QuickSwitcher.tsx opens it with Ctrl+K): type part of a channel
 * or server name, move with ↑/↓, Enter goes there, Esc closes. A native modal <dialog> keeps
 * focus inside while it is open and gives it back to where it was. Its own chunk, loaded when
 * it first opens.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { SwitcherChannel } from "../QuickSwitcher.tsx";

export interface SwitcherDialogProps {
  channels: SwitcherChannel[];
  current: string;
  onClose: () => void;
}

/** The switcher lists at most this many matches. */
const SHOWN_MAX = 12;

function matches(channels: SwitcherChannel[], query: string, current: string): SwitcherChannel[] {
  const words = query.toLowerCase().trim().split(/\s+/).filter(Boolean);
  return channels
    .filter((channel) => channel.id !== current)
    .filter((channel) => {
      const text = `${channel.name} ${channel.serverName}`.toLowerCase();
      return words.every((word) => text.includes(word.replace(/^#/, "")));
    })
    .slice(0, SHOWN_MAX);
}

export default function SwitcherDialog({ channels, current, onClose }: SwitcherDialogProps) {
  const query = useSignal("");
  const selected = useSignal(0);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    dialog.current?.showModal();
    // Ctrl+K again closes it.
    function onKeyDown(event: KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        event.stopImmediatePropagation();
        dialog.current?.close();
      }
    }
    addEventListener("keydown", onKeyDown, { capture: true });
    return () => removeEventListener("keydown", onKeyDown, { capture: true });
  }, []);

  const found = matches(channels, query.value, current);
  const active = Math.min(selected.value, Math.max(0, found.length - 1));
  const go = (channel: SwitcherChannel) =>
    location.assign(`/chat/${channel.serverId}/${channel.id}`);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      selected.value = (active + step + found.length) % Math.max(1, found.length);
    } else if (event.key === "Enter" && found[active]) {
      event.preventDefault();
      go(found[active]);
    }
  }

  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-label="Find a channel"
      class="mx-auto mt-[15vh] w-[min(32rem,calc(100vw-2rem))] rounded-xl bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
      onClick={(event) => {
        // A click on the backdrop lands on the dialog itself: close.
        if (event.target === dialog.current) dialog.current?.close();
      }}
    >
      <div class="p-3">
        <label for="quick-switcher" class="sr-only">Channel or server name</label>
        <input
          id="quick-switcher"
          type="text"
          role="combobox"
          aria-expanded="true"
          aria-controls="quick-switcher-results"
          aria-activedescendant={found[active] ? `quick-${found[active].id}` : undefined}
          autocomplete="off"
          placeholder="Where would you like to go?"
          value={query.value}
          onInput={(event) => {
            query.value = (event.currentTarget as HTMLInputElement).value;
            selected.value = 0;
          }}
          onKeyDown={onKeyDown}
          class="w-full rounded-lg bg-slate-100 px-3 py-2 text-base outline-none dark:bg-slate-800"
        />
      </div>
      <ul
        id="quick-switcher-results"
        role="listbox"
        aria-label="Channels"
        class="max-h-80 overflow-y-auto px-2 pb-2"
      >
        {found.map((channel, index) => (
          <li
            key={channel.id}
            id={`quick-${channel.id}`}
            role="option"
            aria-selected={index === active}
            onClick={() => go(channel)}
            class={`flex cursor-pointer items-baseline gap-2 rounded-md px-3 py-2 ${
              index === active ? "bg-brand-500 text-white" : ""
            }`}
          >
            <span aria-hidden="true" class="opacity-60">#</span>
            <span class="truncate font-medium">{channel.name}</span>
            <span
              class={`ml-auto truncate text-xs ${
                index === active ? "" : "text-slate-500 dark:text-slate-400"
              }`}
            >
              {channel.serverName}
            </span>
          </li>
        ))}
      </ul>
      {found.length === 0 && (
        <p class="px-5 pb-4 text-sm text-slate-500 dark:text-slate-400">
          No channel matches “{query.value}”.
        </p>
      )}
    </dialog>
  );
}
