/**
 * The settings' Members: each member with a checkbox per role. A role below the reader's
 * highest may be given or taken (`manage_roles`); the change shows live everywhere through
 * `member_updated`.
 */
import { useSignal } from "@preact/signals";
import { setMemberRole } from "../runtime/governance_api.ts";
import { highestPosition } from "../runtime/permissions.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { UserAvatar } from "../shared/UserAvatar.tsx";
import { RoleDot } from "./RoleDot.tsx";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL } from "./styles.ts";

export function MembersTab(
  { state, permissions }: { state: ServerState; permissions: Set<string> },
) {
  const note = useSignal<Note | null>(null);
  const filter = useSignal("");
  const mine = highestPosition(state, state.meId);
  const canManage = permissions.has("manage_roles");
  const roles = state.roles
    .filter((role) => role.id !== state.server.id)
    .sort((a, b) => b.position - a.position);
  const query = filter.value.trim().toLowerCase();
  const members = state.members
    .filter((m) => `${m.user.displayName} ${m.user.username}`.toLowerCase().includes(query))
    .sort((a, b) => a.user.displayName.localeCompare(b.user.displayName));

  async function toggle(userId: string, name: string, roleId: string, held: boolean) {
    const role = state.roles.find((r) => r.id === roleId);
    const result = await setMemberRole(state.server.id, userId, roleId, held);
    note.value = result.ok
      ? {
        text: `${held ? "Gave" : "Took"} ${role?.name} ${held ? "to" : "from"} ${name}.`,
        error: false,
      }
      : { text: result.error.message, error: true };
  }

  return (
    <div class="space-y-3">
      <div>
        <label for="member-filter" class={LABEL}>Find a member</label>
        <input
          id="member-filter"
          type="search"
          class={INPUT}
          value={filter.value}
          onInput={(event) => filter.value = event.currentTarget.value}
        />
      </div>
      <Status note={note} />
      {roles.length === 0 && (
        <p class="text-sm text-slate-600 dark:text-slate-300">
          No roles yet: create one in Roles, then give it here.
        </p>
      )}
      <ul aria-label="Server members" class="divide-y divide-slate-200 dark:divide-slate-700">
        {members.map((member) => (
          <li key={member.user.id} class="py-2">
            <div class="flex items-center gap-2">
              <UserAvatar user={member.user} class="h-8 w-8" decorative />
              <span class="min-w-0 flex-1 truncate font-semibold">
                {member.user.displayName}
                <span class="ml-1 text-sm font-normal text-slate-600 dark:text-slate-400">
                  @{member.user.username}
                  {member.user.id === state.server.ownerId && " · owner"}
                </span>
              </span>
            </div>
            {roles.length > 0 && (
              <fieldset class="mt-1 flex flex-wrap gap-x-4 gap-y-1 pl-10">
                <legend class="sr-only">Roles of {member.user.displayName}</legend>
                {roles.map((role) => {
                  const id = `member-${member.user.id}-role-${role.id}`;
                  const held = member.roles.includes(role.id);
                  return (
                    <span key={role.id} class="flex items-center gap-1 text-sm">
                      <input
                        id={id}
                        type="checkbox"
                        checked={held}
                        disabled={!canManage || role.position >= mine}
                        onChange={(event) =>
                          toggle(
                            member.user.id,
                            member.user.displayName,
                            role.id,
                            event.currentTarget.checked,
                          )}
                      />
                      <RoleDot color={role.color} />
                      <label for={id}>
                        {role.name}
                        <span class="sr-only">for {member.user.displayName}</span>
                      </label>
                    </span>
                  );
                })}
              </fieldset>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
