/** The reader's messages not acknowledged yet: "Sending…", or why not and a Retry. */
import type { Pending } from "../runtime/outbox.ts";
import { retry } from "../runtime/outbox.ts";

export function PendingMessages({ items }: { items: Pending[] }) {
  return (
    <>
      {items.map((item) => (
        <li key={item.nonce} class="flex gap-3 pl-[3.25rem]" data-pending={item.status}>
          <div class="min-w-0 flex-1">
            <p class="whitespace-pre-wrap break-words text-slate-500 dark:text-slate-400 [overflow-wrap:anywhere]">
              {item.content}
            </p>
            {item.status === "failed"
              ? (
                <p class="text-xs text-red-600 dark:text-red-400">
                  {item.error ?? "Not sent."}{" "}
                  <button
                    type="button"
                    class="font-semibold underline"
                    onClick={() => retry(item.nonce)}
                  >
                    Retry
                  </button>
                </p>
              )
              : <p class="text-xs text-slate-500 dark:text-slate-400">Sending…</p>}
          </div>
        </li>
      ))}
    </>
  );
}
