/**
 * "Leave" in the server's header, for members (an owner cannot leave). It asks first: with
 * JavaScript in a dialog, without it the link opens a confirmation page; both confirm with the
 * same form post.
 */
import { useRef } from "preact/hooks";

export interface LeaveServerButtonProps {
  serverId: string;
  serverName: string;
}

const BUTTON = "rounded-md px-3 py-1.5 text-sm font-semibold";

export default function LeaveServerButton({ serverId, serverName }: LeaveServerButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const confirmUrl = `/chat/${serverId}/leave`;
  return (
    <>
      <a
        href={confirmUrl}
        onClick={(event) => {
          event.preventDefault();
          dialog.current?.showModal();
        }}
        aria-label={`Leave ${serverName}`}
        title={`Leave ${serverName}`}
        class="shrink-0 rounded-md px-2 py-1 text-xs font-semibold text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"
      >
        Leave
      </a>
      <dialog
        ref={dialog}
        aria-labelledby={`leave-${serverId}-title`}
        class="m-auto w-[min(24rem,calc(100vw-2rem))] rounded-2xl bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100"
      >
        <h2 id={`leave-${serverId}-title`} class="text-lg font-bold">Leave {serverName}?</h2>
        <p class="mt-2 text-sm text-slate-600 dark:text-slate-300">
          You will no longer see its channels. You can come back with a new invite.
        </p>
        <form method="post" action={confirmUrl} class="mt-5 flex justify-end gap-2">
          <button
            type="button"
            onClick={() => dialog.current?.close()}
            class={`${BUTTON} text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800`}
          >
            Cancel
          </button>
          <button type="submit" class={`${BUTTON} bg-red-600 text-white hover:bg-red-700`}>
            Leave server
          </button>
        </form>
      </dialog>
    </>
  );
}
