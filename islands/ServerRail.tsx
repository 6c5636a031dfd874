/**
 * The column of server icons, with a link to create or join one. Live: a server with unread
 * messages gets a dot, and a red count when some of them mention the reader; servers joined or
 * left in another tab appear and go, and so do renames, new icons and deleted servers.
 */
import { useSignal } from "@preact/signals";
import type { WireServer } from "../lib/realtime/protocol.ts";
import { countOf, useUnread } from "./runtime/unread.ts";
import { dmUnreadTotal, startDms } from "./runtime/dm_state.ts";
import { useEffect } from "preact/hooks";
import type { UnreadMap } from "./runtime/unread.ts";

export interface ServerRailProps {
  servers: WireServer[];
  /** The server shown, or "dm" on the direct-message pages. */
  current?: string;
  /** What the server knew of unread channels when it rendered the page. */
  unread: UnreadMap;
  me: { id: string; username: string };
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).slice(0, 2);
  return words.map((word) => [...word][0]?.toUpperCase() ?? "").join("") || "?";
}

export default function ServerRail({ servers, current, unread: seed, me }: ServerRailProps) {
  const list = useSignal(servers);
  const states = Object.values(useUnread(seed, me, (event) => {
    if (event.type === "server_joined" && !list.value.some((s) => s.id === event.server.id)) {
      list.value = [...list.value, event.server];
    } else if (event.type === "server_left" || event.type === "server_deleted") {
      list.value = list.value.filter((server) => server.id !== event.serverId);
    } else if (event.type === "server_updated") {
      list.value = list.value.map((server) =>
        server.id === event.server.id ? event.server : server
      );
    }
  }));
  useEffect(() => startDms(), []);
  const dmCount = dmUnreadTotal.value;
  const inDms = current === "dm";
  return (
    <nav
      aria-label="Servers"
      class="flex w-[72px] shrink-0 flex-col items-center gap-2 overflow-y-auto bg-slate-200 py-3 dark:bg-slate-950"
    >
      <a
        href="/chat/dm"
        title="Direct messages"
        aria-current={inDms ? "page" : undefined}
        data-unread={dmCount > 0 ? dmCount : undefined}
        class="relative"
      >
        <span
          class={`flex h-12 w-12 items-center justify-center transition-all ${
            inDms
              ? "rounded-2xl bg-brand-500 text-white"
              : "rounded-3xl bg-white text-slate-700 hover:rounded-2xl hover:bg-brand-500 hover:text-white dark:bg-slate-800 dark:text-slate-200"
          }`}
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" class="h-6 w-6">
            <path d="M3.5 4A1.5 1.5 0 0 0 2 5.5v7A1.5 1.5 0 0 0 3.5 14H5v3l3.75-3h7.75a1.5 1.5 0 0 0 1.5-1.5v-7A1.5 1.5 0 0 0 16.5 4h-13Z" />
          </svg>
          <span class="sr-only">
            Direct messages{dmCount > 0 ? `, ${dmCount} unread` : ""}
          </span>
        </span>
        {dmCount > 0 && (
          <span
            class="absolute -bottom-1 -right-1 rounded-full border-2 border-slate-200 bg-red-600 px-1 text-xs font-bold text-white dark:border-slate-950"
            aria-hidden="true"
          >
            {dmCount > 99 ? "99+" : dmCount}
          </span>
        )}
      </a>
      <span class="h-0.5 w-8 rounded bg-slate-300 dark:bg-slate-700" aria-hidden="true" />
      {list.value.map((server) => {
        const mine = states.filter((state) => state.serverId === server.id);
        const count = mine.reduce((sum, state) => sum + countOf(state), 0);
        const mentions = mine.reduce((sum, state) => sum + state.mentions, 0);
        const selected = server.id === current;
        return (
          <a
            key={server.id}
            href={`/chat/${server.id}`}
            title={server.name}
            aria-current={selected ? "page" : undefined}
            data-unread={count > 0 ? count : undefined}
            class="relative"
          >
            {count > 0 && !selected && (
              <span class="absolute -left-3 top-5 h-2 w-2 rounded-r-full bg-slate-700 dark:bg-white" />
            )}
            <span
              class={`flex h-12 w-12 items-center justify-center overflow-hidden text-sm font-semibold transition-all ${
                selected
                  ? "rounded-2xl bg-brand-500 text-white"
                  : "rounded-3xl bg-white text-slate-700 hover:rounded-2xl hover:bg-brand-500 hover:text-white dark:bg-slate-800 dark:text-slate-200"
              }`}
            >
              {server.iconUrl
                ? <img src={server.iconUrl} alt="" class="h-full w-full object-cover" />
                : <span aria-hidden="true">{initials(server.name)}</span>}
              <span class="sr-only">
                {server.name}
                {count > 0 ? `, ${count} unread` : ""}
                {mentions > 0 ? `, ${mentions} ${mentions === 1 ? "mention" : "mentions"}` : ""}
              </span>
            </span>
            {mentions > 0 && (
              <span
                class="absolute -bottom-1 -right-1 rounded-full border-2 border-slate-200 bg-red-600 px-1 text-xs font-bold text-white dark:border-slate-950"
                data-mentions={mentions}
                aria-hidden="true"
              >
                {mentions > 99 ? "99+" : mentions}
              </span>
            )}
          </a>
        );
      })}
      <a
        href="/chat?new"
        title="Create or join a server"
        aria-label="Create or join a server"
        class="flex h-12 w-12 items-center justify-center rounded-3xl bg-white text-2xl text-green-600 hover:rounded-2xl hover:bg-green-600 hover:text-white dark:bg-slate-800"
      >
        +
      </a>
    </nav>
  );
}
