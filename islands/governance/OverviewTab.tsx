/**
 * The settings' Overview: the server's name and icon (`manage_server`), and for the owner the
 * transfer of ownership and deleting the server, both asked twice.
 */
import { useSignal } from "@preact/signals";
import type { ServerState } from "../runtime/server_state.ts";
import { deleteServer, updateServer, uploadServerIcon } from "../runtime/governance_api.ts";
import { Confirm } from "./Confirm.tsx";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL, MUTED, PRIMARY } from "./styles.ts";

export function OverviewTab(
  { state, permissions }: { state: ServerState; permissions: Set<string> },
) {
  const { server } = state;
  const name = useSignal(server.name);
  const note = useSignal<Note | null>(null);
  const heir = useSignal("");
  const isOwner = server.ownerId === state.meId;
  const canEdit = permissions.has("manage_server");
  const report = (ok: boolean, text: string) => note.value = { text, error: !ok };

  async function save(event: Event) {
    event.preventDefault();
    const result = await updateServer(server.id, { name: name.value });
    if (result.ok) report(true, "Saved.");
    else report(false, result.error.message);
  }

  async function upload(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    const result = await uploadServerIcon(server.id, file);
    if (result.ok) report(true, "Icon updated.");
    else report(false, result.error.message);
  }

  const others = state.members.filter((member) => member.user.id !== state.meId);
  return (
    <div class="space-y-6">
      <form onSubmit={save} class="space-y-2">
        <label for="server-name" class={LABEL}>Server name</label>
        <div class="flex gap-2">
          <input
            id="server-name"
            class={INPUT}
            value={name.value}
            maxLength={100}
            required
            disabled={!canEdit}
            onInput={(event) => name.value = event.currentTarget.value}
          />
          <button type="submit" class={PRIMARY} disabled={!canEdit}>Save</button>
        </div>
      </form>
      <div class="flex items-center gap-4">
        <span class="flex h-16 w-16 items-center justify-center overflow-hidden rounded-2xl bg-slate-200 dark:bg-slate-800">
          {server.iconUrl
            ? <img src={server.iconUrl} alt="" class="h-full w-full object-cover" />
            : <span aria-hidden="true" class="text-xl font-bold">{[...server.name][0]}</span>}
        </span>
        <div>
          <label for="server-icon" class={LABEL}>Server icon</label>
          <input
            id="server-icon"
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            disabled={!canEdit}
            onChange={upload}
            class="mt-1 text-sm"
          />
        </div>
      </div>
      <Status note={note} />
      {isOwner && (
        <section class="space-y-2 border-t border-slate-200 pt-4 dark:border-slate-700">
          <h3 class="font-bold">Transfer ownership</h3>
          <p class={MUTED}>The new owner gets every right over the server; you keep your roles.</p>
          <label for="new-owner" class={LABEL}>New owner</label>
          <select
            id="new-owner"
            class={INPUT}
            value={heir.value}
            onChange={(event) => heir.value = event.currentTarget.value}
          >
            <option value="">Choose a member</option>
            {others.map((member) => (
              <option key={member.user.id} value={member.user.id}>
                {member.user.displayName} (@{member.user.username})
              </option>
            ))}
          </select>
          <Confirm
            label="Transfer ownership"
            disabled={!heir.value}
            question="You will no longer own this server. This cannot be undone by you."
            confirmLabel="Yes, transfer it"
            onConfirm={async () => {
              const result = await updateServer(server.id, { ownerId: heir.value });
              if (result.ok) report(true, "Ownership transferred.");
              else report(false, result.error.message);
            }}
          />
        </section>
      )}
      {isOwner && (
        <section class="space-y-2 border-t border-slate-200 pt-4 dark:border-slate-700">
          <h3 class="font-bold">Delete server</h3>
          <p class={MUTED}>Every channel and message of {server.name} will be gone for everyone.</p>
          <Confirm
            label="Delete server"
            question={`Delete ${server.name} and everything in it? This cannot be undone.`}
            confirmLabel="Delete forever"
            onConfirm={async () => {
              const result = await deleteServer(server.id);
              if (result.ok) location.assign("/chat");
              else report(false, result.error.message);
            }}
          />
        </section>
      )}
    </div>
  );
}
