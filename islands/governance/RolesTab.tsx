/**
 * The settings' Roles: the roles highest first, a new one, and an editor for the chosen one
 * (name, colour, mentionable, permissions, its place in the order, delete). Only roles below
 * the reader's highest may be edited (the owner edits all); the server refuses the rest anyway.
 */
import { useSignal } from "@preact/signals";
import type { WireRole } from "../../lib/realtime/protocol.ts";
import { createRole, deleteRole, updateRole } from "../runtime/governance_api.ts";
import { highestPosition } from "../runtime/permissions.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { Confirm } from "./Confirm.tsx";
import { hexColor } from "./labels.ts";
import { PermissionBoxes } from "./PermissionBoxes.tsx";
import { RoleDot } from "./RoleDot.tsx";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL, PRIMARY, QUIET, SECONDARY } from "./styles.ts";

export function RolesTab({ state, permissions }: { state: ServerState; permissions: Set<string> }) {
  const note = useSignal<Note | null>(null);
  const newName = useSignal("");
  const chosenId = useSignal<string | null>(null);
  const canManage = permissions.has("manage_roles");
  const mine = highestPosition(state, state.meId);
  const roles = [...state.roles].sort((a, b) => b.position - a.position);
  const chosen = roles.find((role) => role.id === chosenId.value);
  const report = (ok: boolean, text: string) => note.value = { text, error: !ok };

  async function create(event: Event) {
    event.preventDefault();
    const result = await createRole(state.server.id, { name: newName.value });
    if (!result.ok) return report(false, result.error.message);
    newName.value = "";
    chosenId.value = result.value.id;
    report(true, `Role ${result.value.name} created.`);
  }

  /** Moves a role one place up or down among the roles besides `@everyone`. */
  async function move(role: WireRole, step: 1 | -1) {
    const ordered = roles.filter((r) => r.id !== state.server.id).reverse(); // lowest first
    const at = ordered.findIndex((r) => r.id === role.id);
    const swap = ordered[at + step];
    if (!swap) return;
    const result = await updateRole(state.server.id, role.id, { position: swap.position });
    if (!result.ok) return report(false, result.error.message);
    report(true, `${role.name} moved ${step > 0 ? "up" : "down"}.`);
  }

  return (
    <div class="grid gap-4 sm:grid-cols-[14rem_1fr]">
      <div class="space-y-3">
        {canManage && (
          <form onSubmit={create} class="space-y-1">
            <label for="new-role" class={LABEL}>New role name</label>
            <div class="flex gap-1">
              <input
                id="new-role"
                class={INPUT}
                required
                maxLength={100}
                value={newName.value}
                onInput={(event) => newName.value = event.currentTarget.value}
              />
              <button type="submit" class={PRIMARY}>Create role</button>
            </div>
          </form>
        )}
        <ul aria-label="Roles" class="space-y-1">
          {roles.map((role) => {
            const editable = canManage && role.position < mine;
            const movable = editable && role.id !== state.server.id;
            return (
              <li key={role.id} class="flex items-center gap-1">
                <button
                  type="button"
                  aria-pressed={role.id === chosenId.value}
                  onClick={() => chosenId.value = role.id}
                  class={`flex min-w-0 flex-1 items-center gap-2 rounded-md px-2 py-1 text-left text-sm ${
                    role.id === chosenId.value
                      ? "bg-slate-200 font-semibold dark:bg-slate-700"
                      : "hover:bg-slate-100 dark:hover:bg-slate-800"
                  }`}
                >
                  <RoleDot color={role.color} />
                  <span class="truncate">{role.name}</span>
                </button>
                {movable && (
                  <>
                    <button
                      type="button"
                      class={QUIET}
                      aria-label={`Move ${role.name} up`}
                      onClick={() => move(role, 1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      class={QUIET}
                      aria-label={`Move ${role.name} down`}
                      onClick={() => move(role, -1)}
                    >
                      ↓
                    </button>
                  </>
                )}
              </li>
            );
          })}
        </ul>
        <Status note={note} />
      </div>
      {chosen
        ? (
          <RoleEditor
            key={chosen.id}
            role={chosen}
            state={state}
            editable={canManage && chosen.position < mine}
            actorPermissions={permissions}
            onDone={(ok, text) => {
              report(ok, text);
              if (ok && text.endsWith("deleted.")) chosenId.value = null;
            }}
          />
        )
        : <p class="text-sm text-slate-600 dark:text-slate-300">Choose a role to edit it.</p>}
    </div>
  );
}

interface RoleEditorProps {
  role: WireRole;
  state: ServerState;
  editable: boolean;
  actorPermissions: Set<string>;
  onDone: (ok: boolean, text: string) => void;
}

function RoleEditor({ role, state, editable, actorPermissions, onDone }: RoleEditorProps) {
  const name = useSignal(role.name);
  const color = useSignal(hexColor(role.color));
  const mentionable = useSignal(role.mentionable);
  const chosen = useSignal(new Set(role.permissions));
  const isEveryone = role.id === state.server.id;
  const elevated = state.server.ownerId === state.meId || actorPermissions.has("administrator");

  async function save(event: Event) {
    event.preventDefault();
    const result = await updateRole(state.server.id, role.id, {
      ...(isEveryone ? {} : { name: name.value, color: parseInt(color.value.slice(1), 16) }),
      mentionable: mentionable.value,
      permissions: [...chosen.value],
    });
    onDone(result.ok, result.ok ? `${result.value.name} saved.` : result.error.message);
  }

  return (
    <form onSubmit={save} class="space-y-3" aria-label={`Edit ${role.name}`}>
      <fieldset disabled={!editable} class="space-y-3">
        <div>
          <label for="role-name" class={LABEL}>Role name</label>
          <input
            id="role-name"
            class={INPUT}
            required
            maxLength={100}
            disabled={isEveryone}
            value={name.value}
            onInput={(event) => name.value = event.currentTarget.value}
          />
        </div>
        <div class="flex items-center gap-4">
          <span class="flex items-center gap-2">
            <label for="role-colour" class={LABEL}>Role colour</label>
            <input
              id="role-colour"
              type="color"
              disabled={isEveryone}
              value={color.value}
              onInput={(event) => color.value = event.currentTarget.value}
            />
          </span>
          <span class="flex items-center gap-2">
            <input
              id="role-mentionable"
              type="checkbox"
              checked={mentionable.value}
              onChange={(event) => mentionable.value = event.currentTarget.checked}
            />
            <label for="role-mentionable" class="text-sm">Anyone can mention it</label>
          </span>
        </div>
        <PermissionBoxes
          chosen={chosen.value}
          onChange={(next) => chosen.value = next}
          locked={(permission) => !elevated && !actorPermissions.has(permission)}
        />
        <button type="submit" class={PRIMARY}>Save role</button>
      </fieldset>
      {editable && !isEveryone && (
        <Confirm
          label="Delete role"
          ariaLabel={`Delete role ${role.name}`}
          class={SECONDARY}
          question={`Delete ${role.name}? Members who hold it lose it.`}
          confirmLabel="Delete role"
          onConfirm={async () => {
            const result = await deleteRole(state.server.id, role.id);
            onDone(result.ok, result.ok ? `${role.name} deleted.` : result.error.message);
          }}
        />
      )}
    </form>
  );
}
