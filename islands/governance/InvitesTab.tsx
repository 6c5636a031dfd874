/**
 * The settings' Invites: every invite with its uses and expiry, a new one with limits, and
 * revoking one (asked first). Listing needs `manage_invites`; anyone who may create invites
 * can still make one here.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { createLimitedInvite, listInvites, revokeInvite } from "../runtime/governance_api.ts";
import type { WireInvite } from "../runtime/api.ts";
import type { ServerState } from "../runtime/server_state.ts";
import { Confirm } from "./Confirm.tsx";
import { INVITE_AGE_CHOICES, INVITE_USE_CHOICES, when } from "./labels.ts";
import { Status } from "./Status.tsx";
import type { Note } from "./Status.tsx";
import { INPUT, LABEL, PRIMARY, SECONDARY } from "./styles.ts";

export function InvitesTab(
  { state, permissions }: { state: ServerState; permissions: Set<string> },
) {
  const invites = useSignal<WireInvite[] | null>(null);
  const note = useSignal<Note | null>(null);
  const age = useSignal(String(INVITE_AGE_CHOICES[5][1]));
  const uses = useSignal("0");
  const link = useSignal("");
  const canList = permissions.has("manage_invites");
  const byId = new Map(state.members.map((m) => [m.user.id, m.user.displayName]));

  async function load() {
    if (!canList) return;
    const result = await listInvites(state.server.id);
    if (result.ok) invites.value = result.value;
    else note.value = { text: result.error.message, error: true };
  }
  useEffect(() => void load(), []);

  async function create(event: Event) {
    event.preventDefault();
    const result = await createLimitedInvite(state.server.id, {
      maxAgeSeconds: Number(age.value),
      maxUses: Number(uses.value),
    });
    if (!result.ok) return note.value = { text: result.error.message, error: true };
    link.value = new URL(`/invite/${result.value.code}`, location.href).href;
    note.value = { text: "Invite created.", error: false };
    await load();
  }

  return (
    <div class="space-y-4">
      {permissions.has("create_invites") && (
        <form onSubmit={create} class="grid gap-2 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
          <div>
            <label for="invite-age" class={LABEL}>Expire after</label>
            <select
              id="invite-age"
              class={INPUT}
              value={age.value}
              onChange={(event) =>
                age.value = event.currentTarget.value}
            >
              {INVITE_AGE_CHOICES.map(([label, seconds]) => (
                <option key={seconds} value={seconds}>{label}</option>
              ))}
            </select>
          </div>
          <div>
            <label for="invite-uses" class={LABEL}>Max uses</label>
            <select
              id="invite-uses"
              class={INPUT}
              value={uses.value}
              onChange={(event) =>
                uses.value = event.currentTarget.value}
            >
              {INVITE_USE_CHOICES.map(([label, count]) => (
                <option key={count} value={count}>{label}</option>
              ))}
            </select>
          </div>
          <button type="submit" class={PRIMARY}>Create invite</button>
        </form>
      )}
      {link.value && (
        <input
          readOnly
          aria-label="New invite link"
          value={link.value}
          onFocus={(event) => event.currentTarget.select()}
          class={INPUT}
        />
      )}
      <Status note={note} />
      {!canList && (
        <p class="text-sm text-slate-600 dark:text-slate-300">
          Listing and revoking invites needs the Manage invites permission.
        </p>
      )}
      {invites.value && invites.value.length === 0 && (
        <p class="text-sm text-slate-600 dark:text-slate-300">No invites yet.</p>
      )}
      {invites.value && invites.value.length > 0 && (
        <ul aria-label="Invites" class="divide-y divide-slate-200 dark:divide-slate-700">
          {invites.value.map((invite) => (
            <li key={invite.code} class="flex flex-wrap items-center gap-2 py-2 text-sm">
              <code class="font-mono">{invite.code}</code>
              <span class="min-w-0 flex-1 text-slate-600 dark:text-slate-300">
                by {byId.get(invite.createdBy) ?? "a former member"} ·{" "}
                {invite.maxUses
                  ? `${invite.uses} of ${invite.maxUses} uses`
                  : `${invite.uses} uses`}
                {" · "}
                {invite.expiresAt ? `expires ${when(invite.expiresAt)}` : "never expires"}
              </span>
              <Confirm
                label="Revoke"
                ariaLabel={`Revoke invite ${invite.code}`}
                class={SECONDARY}
                question={`Revoke ${invite.code}? The link stops working at once.`}
                confirmLabel="Revoke invite"
                onConfirm={async () => {
                  const result = await revokeInvite(invite.code);
                  note.value = result.ok
                    ? { text: `Invite ${invite.code} revoked.`, error: false }
                    : { text: result.error.message, error: true };
                  await load();
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
