/**
 * A profile card's direct-message controls (API.md "Direct messages"): `Message` opens (or
 * finds) the DM with that person (`POST /api/dms`) and goes there; `Block` / `Unblock`
 * (`PUT`/`DELETE /api/users/:id/block`). A refusal (`dm_not_allowed`: their DM policy, or
 * they blocked the reader) is said on the card. Whether the reader already blocked them is not
 * something the API tells, so the toggle starts from what this page did.
 */
import { useSignal } from "@preact/signals";
import { openDm, setBlocked } from "../runtime/dm_api.ts";
import { dmUrl } from "../runtime/dm_types.ts";
import type { Note } from "../governance/Status.tsx";
import type { Signal } from "@preact/signals";

const BUTTON = "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-semibold disabled:opacity-50";
const PRIMARY = `${BUTTON} bg-brand-600 text-white hover:bg-brand-700`;
const QUIET =
  `${BUTTON} text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800`;

/** Users this page has blocked (the API has no list to read it from). */
const blockedHere = new Set<string>();

export function DmActions(
  { user, note }: { user: { id: string; displayName: string }; note: Signal<Note | null> },
) {
  const busy = useSignal(false);
  const blocked = useSignal(blockedHere.has(user.id));
  return (
    <div class="flex gap-2">
      <button
        type="button"
        class={`${PRIMARY} flex-1`}
        disabled={busy.value}
        onClick={async () => {
          busy.value = true;
          const result = await openDm([user.id]);
          busy.value = false;
          if (result.ok) location.assign(dmUrl(result.value.id));
          else {
            note.value = {
              error: true,
              text: result.error.code === "dm_not_allowed"
                ? `You cannot message ${user.displayName}: they do not accept direct messages from you.`
                : result.error.message,
            };
          }
        }}
      >
        Message
      </button>
      <button
        type="button"
        class={QUIET}
        disabled={busy.value}
        onClick={async () => {
          const next = !blocked.value;
          busy.value = true;
          const result = await setBlocked(user.id, next);
          busy.value = false;
          if (!result.ok) {
            note.value = { error: true, text: result.error.message };
            return;
          }
          blocked.value = next;
          if (next) blockedHere.add(user.id);
          else blockedHere.delete(user.id);
          note.value = {
            error: false,
            text: next
              ? `${user.displayName} is blocked: they cannot message you.`
              : `${user.displayName} is unblocked.`,
          };
        }}
      >
        {blocked.value ? "Unblock" : "Block"}
      </button>
    </div>
  );
}
