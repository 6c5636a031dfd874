/**
 * A channel's permission overwrites (API.md): per role or member, each permission allowed,
 * neutral (the server-wide roles decide) or denied. Needs `manage_roles`.
 */
import { useSignal } from "@preact/signals";
import { PERMISSIONS } from "../../lib/permissions/permission_names.ts";
import type { WireChannel, WireOverwrite } from "../../lib/realtime/protocol.ts";
import { deleteOverwrite, putOverwrite } from "../runtime/governance_api.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { PERMISSION_LABELS } from "./labels.ts";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL, PRIMARY, SECONDARY } from "./styles.ts";

type Choice = "allow" | "neutral" | "deny";

export function OverwriteEditor({ state, channel }: { state: ServerState; channel: WireChannel }) {
  const note = useSignal<Note | null>(null);
  const adding = useSignal("");
  const draft = useSignal<WireOverwrite | null>(null);
  const overwrites = channel.permissionOverwrites;
  const nameOf = (o: { id: string; type: string }) =>
    o.type === "role"
      ? (o.id === state.server.id ? "@everyone" : state.roles.find((r) => r.id === o.id)?.name ??
        "Deleted role")
      : state.members.find((m) => m.user.id === o.id)?.user.displayName ?? "Former member";
  const taken = new Set(overwrites.map((o) => o.id));
  const roleChoices = [...state.roles].sort((a, b) => a.position - b.position)
    .filter((r) => !taken.has(r.id));
  const memberChoices = state.members.filter((m) => !taken.has(m.user.id));

  function add(event: Event) {
    event.preventDefault();
    const [type, id] = adding.value.split(":") as ["role" | "member", string];
    if (!id) return;
    draft.value = { id, type, allow: [], deny: [] };
    adding.value = "";
  }

  const editing = draft.value;
  return (
    <section aria-label="Channel permissions" class="space-y-3">
      <h3 class="font-bold">Permissions</h3>
      <ul aria-label="Overwrites" class="flex flex-wrap gap-1">
        {overwrites.map((o) => (
          <li key={o.id}>
            <button
              type="button"
              aria-pressed={editing?.id === o.id}
              class={SECONDARY}
              onClick={() => draft.value = { ...o, allow: [...o.allow], deny: [...o.deny] }}
            >
              {nameOf(o)}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} class="flex items-end gap-2">
        <div class="min-w-0 flex-1">
          <label for="overwrite-target" class={LABEL}>Add a role or member</label>
          <select
            id="overwrite-target"
            class={INPUT}
            value={adding.value}
            onChange={(event) => adding.value = event.currentTarget.value}
          >
            <option value="">Choose…</option>
            <optgroup label="Roles">
              {roleChoices.map((r) => (
                <option key={r.id} value={`role:${r.id}`}>
                  {r.id === state.server.id ? "@everyone" : r.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Members">
              {memberChoices.map((m) => (
                <option key={m.user.id} value={`member:${m.user.id}`}>{m.user.displayName}</option>
              ))}
            </optgroup>
          </select>
        </div>
        <button type="submit" class={SECONDARY}>Add</button>
      </form>
      {editing && (
        <OverwriteForm
          key={editing.id}
          overwrite={editing}
          name={nameOf(editing)}
          exists={taken.has(editing.id)}
          onSave={async (saved) => {
            const result = await putOverwrite(channel.id, saved.id, saved);
            note.value = result.ok
              ? { text: `Permissions for ${nameOf(saved)} saved.`, error: false }
              : { text: result.error.message, error: true };
          }}
          onRemove={async () => {
            const result = await deleteOverwrite(channel.id, editing.id);
            note.value = result.ok
              ? { text: `Permissions for ${nameOf(editing)} removed.`, error: false }
              : { text: result.error.message, error: true };
            if (result.ok) draft.value = null;
          }}
        />
      )}
      <Status note={note} />
    </section>
  );
}

interface OverwriteFormProps {
  overwrite: WireOverwrite;
  name: string;
  exists: boolean;
  onSave: (overwrite: WireOverwrite) => Promise<void>;
  onRemove: () => Promise<void>;
}

function OverwriteForm({ overwrite, name, exists, onSave, onRemove }: OverwriteFormProps) {
  const choices = useSignal(
    new Map<string, Choice>(PERMISSIONS.map((p) => [
      p,
      overwrite.allow.includes(p) ? "allow" : overwrite.deny.includes(p) ? "deny" : "neutral",
    ])),
  );
  function save(event: Event) {
    event.preventDefault();
    const picked = [...choices.value];
    void onSave({
      ...overwrite,
      allow: picked.filter(([, c]) => c === "allow").map(([p]) => p),
      deny: picked.filter(([, c]) => c === "deny").map(([p]) => p),
    });
  }
  return (
    <form onSubmit={save} aria-label={`Permissions for ${name}`} class="space-y-2">
      <p class="text-sm font-semibold">Permissions for {name}</p>
      <div class="max-h-72 space-y-1 overflow-y-auto pr-1">
        {PERMISSIONS.map((permission) => {
          const [label] = PERMISSION_LABELS[permission];
          return (
            <fieldset
              key={permission}
              class="flex items-center justify-between gap-2 rounded-md px-1 py-0.5 odd:bg-slate-50 dark:odd:bg-slate-800/50"
            >
              <legend class="sr-only">{label}</legend>
              <span aria-hidden="true" class="text-sm">{label}</span>
              <span class="flex gap-2 text-xs">
                {(["deny", "neutral", "allow"] as const).map((choice) => (
                  <label key={choice} class="flex items-center gap-1">
                    <input
                      type="radio"
                      name={`overwrite-${permission}`}
                      value={choice}
                      checked={choices.value.get(permission) === choice}
                      onChange={() =>
                        choices.value = new Map(choices.value).set(permission, choice)}
                    />
                    {choice === "deny" ? "Deny" : choice === "allow" ? "Allow" : "Neutral"}
                  </label>
                ))}
              </span>
            </fieldset>
          );
        })}
      </div>
      <div class="flex justify-between gap-2">
        <button type="submit" class={PRIMARY}>Save permissions</button>
        {exists && (
          <button type="button" class={SECONDARY} onClick={() => void onRemove()}>
            Remove overwrite
          </button>
        )}
      </div>
    </form>
  );
}
