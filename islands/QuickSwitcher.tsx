/**
 * Ctrl+K (⌘K on a Mac) opens a quick switcher: type part of a channel or server name, move with
 * ↑/↓, Enter goes there, Esc closes. A native modal <dialog> keeps focus inside while it is open
 * and gives it back to where it was. It knows the channels of every server once the socket is
 * ready (the page itself only lists the current server's), and finds people too: DMs, and the
 * open server's members (going to one opens the DM with them).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { latestReady, onEvent, startSocket } from "./runtime/socket_client.ts";
import type { ServerEvent } from "../lib/realtime/protocol.ts";
import { lazy } from "./shared/lazy.tsx";
import type { SwitcherDialogProps } from "./components/SwitcherDialog.tsx";
import { serverState } from "./runtime/server_state.ts";

/** Its code loads when it first opens (the chat page's JavaScript budget). */
const SwitcherDialog = lazy<SwitcherDialogProps>(() =>
  import("./components/SwitcherDialog.tsx").then((loaded) => loaded.default)
);

export interface SwitcherChannel {
  id: string;
  name: string;
  serverId: string;
  serverName: string;
}

export interface QuickSwitcherProps {
  channels: SwitcherChannel[];
  current: string;
}

export default function QuickSwitcher({ channels, current }: QuickSwitcherProps) {
  const all = useSignal(channels);
  const open = useSignal(false);

  useEffect(() => {
    startSocket();
    function onKeyDown(event: KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        open.value = true;
      }
    }
    addEventListener("keydown", onKeyDown);
    const learn = (event: ServerEvent) => {
      if (event.type !== "ready") return;
      all.value = event.servers.flatMap(({ server, channels }) =>
        channels.map((channel) => ({
          id: channel.id,
          name: channel.name,
          serverId: server.id,
          serverName: server.name,
        }))
      );
    };
    const stop = onEvent(learn);
    // Mounted after the socket was ready (islands hydrate one by one): that `ready` counts too.
    const ready = latestReady();
    if (ready) learn(ready);
    return () => {
      removeEventListener("keydown", onKeyDown);
      stop();
    };
  }, []);

  return (
    <>
      <button
        type="button"
        onClick={() => open.value = true}
        class="hidden rounded-md border border-slate-200 px-2 py-1 text-xs text-slate-500 dark:text-slate-400 hover:bg-slate-100 sm:block dark:border-slate-700 dark:hover:bg-slate-800"
        aria-keyshortcuts="Control+K"
      >
        Find a channel <kbd class="font-sans">Ctrl K</kbd>
      </button>
      {open.value && (
        <SwitcherDialog
          channels={all.value}
          people={(serverState.value?.members ?? []).map((member) => member.user)
            .filter((user) => user.id !== serverState.value?.meId)}
          current={current}
          onClose={() => open.value = false}
        />
      )}
    </>
  );
}
