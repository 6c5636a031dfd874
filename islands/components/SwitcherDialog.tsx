/**
 * The quick switcher's dialog (QuickSwitcher.tsx opens it with Ctrl+K): type part of a channel
 * or server name, or of a person's name (a DM, or a member of this server: going there opens
 * the DM with them), move with ↑/↓, Enter goes there, Esc closes. A native modal <dialog> keeps
 * focus inside while it is open and gives it back to where it was. Its own chunk, loaded when
 * it first opens.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { SwitcherChannel } from "../QuickSwitcher.tsx";
import { dms } from "../runtime/dm_state.ts";
import { dmTitle, dmUrl } from "../runtime/dm_types.ts";
import { openDm } from "../runtime/dm_api.ts";

/** Someone the reader may open a DM with (a member of the open server). */
export interface SwitcherPerson {
  id: string;
  username: string;
  displayName: string;
}

export interface SwitcherDialogProps {
  channels: SwitcherChannel[];
  /** Members of the open server but the reader (passed in: this chunk then shares less). */
  people?: SwitcherPerson[];
  current: string;
  onClose: () => void;
}

/** The switcher lists at most this many matches. */
const SHOWN_MAX = 12;

/** One place the switcher can go: a channel, a DM, or a person (a DM opened on the way). */
interface Entry {
  id: string;
  mark: "#" | "@";
  name: string;
  detail: string;
  go: () => void | Promise<void>;
}

function entries(
  channels: SwitcherChannel[],
  people: SwitcherPerson[],
  current: string,
): Entry[] {
  const list: Entry[] = channels.filter((channel) => channel.id !== current).map((channel) => ({
    id: channel.id,
    mark: "#",
    name: channel.name,
    detail: channel.serverName,
    go: () => location.assign(`/chat/${channel.serverId}/${channel.id}`),
  }));
  const withDm = new Set<string>();
  for (const dm of dms.value) {
    if (dm.id === current) continue;
    if (dm.kind === "dm" && dm.recipients[0]) withDm.add(dm.recipients[0].id);
    list.push({
      id: dm.id,
      mark: "@",
      name: dmTitle(dm),
      detail: dm.kind === "dm" ? `@${dm.recipients[0]?.username ?? ""}` : "Group",
      go: () => location.assign(dmUrl(dm.id)),
    });
  }
  for (const user of people) {
    if (withDm.has(user.id)) continue;
    list.push({
      id: `person-${user.id}`,
      mark: "@",
      name: user.displayName,
      detail: `@${user.username}`,
      go: async () => {
        const opened = await openDm([user.id]);
        if (opened.ok) location.assign(dmUrl(opened.value.id));
      },
    });
  }
  return list;
}

function matches(all: Entry[], query: string): Entry[] {
  const words = query.toLowerCase().trim().split(/\s+/).filter(Boolean);
  return all
    .filter((entry) => {
      const text = `${entry.name} ${entry.detail}`.toLowerCase();
      return words.every((word) => text.includes(word.replace(/^[#@]/, "")));
    })
    .slice(0, SHOWN_MAX);
}

export default function SwitcherDialog(
  { channels, people = [], current, onClose }: SwitcherDialogProps,
) {
  const query = useSignal("");
  const selected = useSignal(0);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const found = matches(entries(channels, people, current), query.value);
  const active = Math.min(selected.value, Math.max(0, found.length - 1));
  const go = (entry: Entry) => void entry.go();

  // Closed at once, not when the dialog's `close` event comes a task later: a Ctrl+K typed
  // in between found the switcher still "open" and did nothing (keyboard_browser_test).
  function close() {
    dialog.current?.close();
    onClose();
  }

  function onKeyDown(event: KeyboardEvent) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      // Ctrl+K again closes it (here, where focus is while the modal is open).
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
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
      onCancel={(event) => {
        // Escape: closed here, the same way (closing gives focus back, then unmounting).
        event.preventDefault();
        close();
      }}
      onKeyDown={onKeyDown}
      aria-label="Find a channel"
      class="mx-auto mt-[15vh] w-[min(32rem,calc(100vw-2rem))] rounded-xl bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
      onClick={(event) => {
        // A click on the backdrop lands on the dialog itself: close.
        if (event.target === dialog.current) close();
      }}
    >
      <div class="p-3">
        <label for="quick-switcher" class="sr-only">Channel, server or person</label>
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
          class="w-full rounded-lg bg-slate-100 px-3 py-2 text-base outline-none dark:bg-slate-800"
        />
      </div>
      <ul
        id="quick-switcher-results"
        role="listbox"
        aria-label="Channels"
        class="max-h-80 overflow-y-auto px-2 pb-2"
      >
        {found.map((entry, index) => (
          <li
            key={entry.id}
            id={`quick-${entry.id}`}
            role="option"
            aria-selected={index === active}
            onClick={() => go(entry)}
            class={`flex cursor-pointer items-baseline gap-2 rounded-md px-3 py-2 ${
              index === active ? "bg-brand-500 text-white" : ""
            }`}
          >
            <span aria-hidden="true" class="opacity-60">{entry.mark}</span>
            <span class="truncate font-medium">{entry.name}</span>
            <span
              class={`ml-auto truncate text-xs ${
                index === active ? "" : "text-slate-500 dark:text-slate-400"
              }`}
            >
              {entry.detail}
            </span>
          </li>
        ))}
      </ul>
      {found.length === 0 && (
        <p class="px-5 pb-4 text-sm text-slate-500 dark:text-slate-400">
          Nothing matches “{query.value}”.
        </p>
      )}
    </dialog>
  );
}
