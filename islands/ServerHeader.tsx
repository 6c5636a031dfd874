/**
 * The server's header in the channel list: its name (live), `Server settings` for those who may
 * manage something (API.md's screen names) and `Leave` for members. Without JavaScript the
 * settings button opens the settings page (plain forms); with it, the settings dialog.
 */
import { useSignal } from "@preact/signals";
import { mayManage } from "./runtime/permissions.ts";
import { useServerState } from "./runtime/server_state.ts";
import type { ServerState } from "./runtime/server_state.ts";
import { lazy } from "./shared/lazy.tsx";

/** Its code loads when it first opens (the chat page's JavaScript budget). */
const ServerSettings = lazy(() =>
  import("./governance/ServerSettings.tsx").then((loaded) => loaded.ServerSettings)
);
import LeaveServerButton from "./LeaveServerButton.tsx";
import { NotifyButton } from "./components/NotifyButton.tsx";

export interface ServerHeaderProps {
  seed: ServerState;
}

export default function ServerHeader({ seed }: ServerHeaderProps) {
  const state = useServerState(seed);
  const open = useSignal(false);
  const { server } = state;
  const isOwner = server.ownerId === state.meId;
  return (
    <div class="flex items-center gap-1 border-b border-slate-200 py-2 pl-4 pr-2 dark:border-slate-800">
      {server.iconUrl && (
        <img src={server.iconUrl} alt="" class="h-6 w-6 shrink-0 rounded-md object-cover" />
      )}
      <h2 class="min-w-0 flex-1 truncate py-1 font-bold">{server.name}</h2>
      {mayManage(state, state.meId) && (
        <form method="get" action={`/chat/${server.id}/settings`}>
          <button
            type="submit"
            aria-label="Server settings"
            title="Server settings"
            aria-haspopup="dialog"
            onClick={(event) => {
              event.preventDefault();
              open.value = true;
            }}
            class="rounded-md p-1.5 text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" class="h-5 w-5">
              <path d="M10 3a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm0 5.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm0 5.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Z" />
            </svg>
          </button>
        </form>
      )}
      <NotifyButton targetId={server.id} name={server.name} kind="server" />
      {!isOwner && <LeaveServerButton serverId={server.id} serverName={server.name} />}
      {open.value && (
        <ServerSettings
          state={state}
          open={open.value}
          onClose={() => open.value = false}
        />
      )}
    </div>
  );
}
