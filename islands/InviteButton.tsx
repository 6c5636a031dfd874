/**
 * "Invite people": creates an invite link and copies it. Without JavaScript the same button
 * posts a form and the page shows the link.
 */
import { useSignal } from "@preact/signals";
import { createInvite } from "./runtime/api.ts";

export interface InviteButtonProps {
  serverId: string;
  /** A link the server already made (after a no-JS post). */
  link?: string;
}

export default function InviteButton({ serverId, link }: InviteButtonProps) {
  const shown = useSignal(link ?? "");
  const note = useSignal("");

  async function create(event: Event) {
    event.preventDefault();
    const created = await createInvite(serverId);
    if (!created.ok) {
      note.value = `Could not create an invite: ${created.error.message}`;
      return;
    }
    shown.value = new URL(`/invite/${created.value}`, location.href).href;
    try {
      await navigator.clipboard.writeText(shown.value);
      note.value = "Copied to the clipboard.";
    } catch {
      note.value = "Copy the link to share it.";
    }
  }

  return (
    <form
      method="post"
      action={`/chat/${serverId}/invites`}
      onSubmit={create}
      class="space-y-1 px-2"
    >
      <button
        type="submit"
        class="w-full rounded-md bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600"
      >
        Invite people
      </button>
      {shown.value && (
        <input
          readOnly
          value={shown.value}
          aria-label="Invite link"
          onFocus={(event) => event.currentTarget.select()}
          class="w-full rounded border border-slate-300 bg-white px-2 py-1 text-xs dark:border-slate-700 dark:bg-slate-950"
        />
      )}
      {note.value && (
        <p role="status" class="text-xs text-slate-500 dark:text-slate-400">{note.value}</p>
      )}
    </form>
  );
}
