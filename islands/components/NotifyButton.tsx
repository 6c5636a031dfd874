/**
 * A bell that opens the notification settings of one server, channel or DM (API.md
 * "Notifications": all / mentions / nothing / default, and a mute until a time). Its dialog's
 * code loads on the first click (the chat page's JavaScript budget).
 */
import { useSignal } from "@preact/signals";
import { lazy } from "../shared/lazy.tsx";
import type { NotifyDialogProps } from "./NotifyDialog.tsx";

const NotifyDialog = lazy<NotifyDialogProps>(() =>
  import("./NotifyDialog.tsx").then((loaded) => loaded.NotifyDialog)
);

export interface NotifyButtonProps {
  targetId: string;
  /** How the target is shown: `Room`, `#general`, `@ada`. */
  name: string;
  /** A server (its channels default to it), a channel (defaults to its server) or a DM. */
  kind: "server" | "channel" | "dm";
  class?: string;
}

export function NotifyButton(props: NotifyButtonProps) {
  const open = useSignal(false);
  return (
    <>
      <button
        type="button"
        aria-haspopup="dialog"
        aria-label={`Notification settings for ${props.name}`}
        title="Notification settings"
        onClick={() => open.value = true}
        class={props.class ??
          "rounded-md p-1.5 text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"}
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" class="h-5 w-5">
          <path d="M10 2a5 5 0 0 0-5 5v2.6l-1.4 2.8A1 1 0 0 0 4.5 14h11a1 1 0 0 0 .9-1.6L15 9.6V7a5 5 0 0 0-5-5Zm-2 13a2 2 0 1 0 4 0H8Z" />
        </svg>
      </button>
      {open.value && <NotifyDialog {...props} onClose={() => open.value = false} />}
    </>
  );
}
