/** The settings' Bans: who is banned, why and since when, and lifting a ban (`ban_members`). */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { listBans, unbanMember } from "../runtime/governance_api.ts";
import type { WireBan } from "../runtime/api.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { UserAvatar } from "../shared/UserAvatar.tsx";
import { when } from "./labels.ts";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { SECONDARY } from "./styles.ts";

export function BansTab({ state, permissions }: { state: ServerState; permissions: Set<string> }) {
  const bans = useSignal<WireBan[] | null>(null);
  const note = useSignal<Note | null>(null);
  const allowed = permissions.has("ban_members");

  async function load() {
    if (!allowed) return;
    const result = await listBans(state.server.id);
    if (result.ok) bans.value = result.value;
    else note.value = { text: result.error.message, error: true };
  }
  useEffect(() => void load(), []);

  if (!allowed) {
    return (
      <p class="text-sm text-slate-600 dark:text-slate-300">
        Seeing and lifting bans needs the Ban members permission.
      </p>
    );
  }
  return (
    <div class="space-y-3">
      <Status note={note} />
      {bans.value?.length === 0 && (
        <p class="text-sm text-slate-600 dark:text-slate-300">Nobody is banned.</p>
      )}
      <ul aria-label="Bans" class="divide-y divide-slate-200 dark:divide-slate-700">
        {(bans.value ?? []).map((ban) => (
          <li key={ban.user.id} class="flex items-center gap-2 py-2 text-sm">
            <UserAvatar user={ban.user} class="h-8 w-8" decorative />
            <span class="min-w-0 flex-1">
              <span class="font-semibold">{ban.user.displayName}</span>{" "}
              <span class="text-slate-600 dark:text-slate-300">
                @{ban.user.username} · since {when(ban.createdAt)}
                {ban.reason ? ` · ${ban.reason}` : ""}
              </span>
            </span>
            <button
              type="button"
              class={SECONDARY}
              aria-label={`Unban ${ban.user.displayName}`}
              onClick={async () => {
                const result = await unbanMember(state.server.id, ban.user.id);
                note.value = result.ok
                  ? { text: `${ban.user.displayName} may join again.`, error: false }
                  : { text: result.error.message, error: true };
                await load();
              }}
            >
              Unban
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
