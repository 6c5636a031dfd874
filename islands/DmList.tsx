/**
 * The reader's direct messages, newest activity first (API.md "Direct messages"): each a link
 * to its page with the unread count and `Close` (hides it from the list until its next
 * message). Seeded from what the page was rendered with (or `GET /api/dms`), then live with
 * `ready.dms`, `dm_created` and `dm_updated` (runtime/dm_state.ts). On the DM pages, in the
 * DM pages only (its own module, not in the chat page's bundle).
 */
import { useEffect } from "preact/hooks";
import type { DmChannel } from "./runtime/dm_types.ts";
import { dmTitle, dmUrl } from "./runtime/dm_types.ts";
import { listDms } from "./runtime/dm_api.ts";
import { dms, dmsKnown, forgetDm, seedDms, startDms } from "./runtime/dm_state.ts";
import { call, nothing } from "./runtime/api.ts";
import { UserAvatar } from "./shared/UserAvatar.tsx";
import { useSignal } from "@preact/signals";
import type { ComponentType } from "preact";
import type { NotifyDialogProps } from "./components/NotifyDialog.tsx";

export interface DmListProps {
  /** The DMs as the page was rendered (null: the page did not load them). */
  seed: DmChannel[] | null;
  /** The open DM's id. */
  current?: string;
}

export default function DmList({ seed, current }: DmListProps) {
  const dialog = useSignal<ComponentType<NotifyDialogProps> | null>(null);
  useEffect(() => {
    if (seed) seedDms(seed);
    startDms();
    if (!seed && !dmsKnown.value) {
      void listDms().then((result) => result.ok && seedDms(result.value));
    }
  }, []);
  const list = dmsKnown.value ? dms.value : seed ?? [];
  const open = list.find((channel) => channel.id === current);
  const Dialog = dialog.value;
  return (
    <nav aria-label="Direct messages" class="px-2">
      <div class="flex items-center px-2 pb-1">
        <h2 class="flex-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
          Direct messages
        </h2>
        {open && (
          <button
            type="button"
            aria-haspopup="dialog"
            aria-label={`Notification settings for @${dmTitle(open)}`}
            title="Notification settings"
            class="rounded-md p-1 text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
            onClick={async () => {
              // Not components/NotifyButton.tsx: sharing it with the chat page's bundle would
              // make it a chunk of its own there.
              dialog.value = (await import("./components/NotifyDialog.tsx")).NotifyDialog;
            }}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" class="h-4 w-4">
              <path d="M10 2a5 5 0 0 0-5 5v2.6l-1.4 2.8A1 1 0 0 0 4.5 14h11a1 1 0 0 0 .9-1.6L15 9.6V7a5 5 0 0 0-5-5Zm-2 13a2 2 0 1 0 4 0H8Z" />
            </svg>
          </button>
        )}
        {open && Dialog && (
          <Dialog
            targetId={open.id}
            name={`@${dmTitle(open)}`}
            kind="dm"
            onClose={() => dialog.value = null}
          />
        )}
      </div>
      {list.length === 0 && (
        <p class="px-2 text-sm text-slate-500 dark:text-slate-400" data-testid="no-dms">
          No conversations yet. Open someone's profile card and choose Message.
        </p>
      )}
      <ul class="space-y-0.5">
        {list.map((channel) => {
          const title = dmTitle(channel);
          const count = channel.id === current ? 0 : Math.max(0, channel.lastSeq - channel.readSeq);
          const other = channel.recipients[0];
          return (
            <li
              key={channel.id}
              class="group flex items-center rounded-md hover:bg-slate-200 dark:hover:bg-slate-800"
            >
              <a
                href={dmUrl(channel.id)}
                aria-current={channel.id === current ? "page" : undefined}
                data-dm={channel.id}
                class={`flex min-w-0 flex-1 items-center gap-2 px-2 py-1 text-sm ${
                  channel.id === current ? "font-semibold" : count > 0 ? "font-semibold" : ""
                }`}
              >
                {other
                  ? <UserAvatar user={other} class="h-7 w-7" decorative />
                  : <span class="h-7 w-7 rounded-full bg-slate-300" />}
                <span class="min-w-0 flex-1 truncate">{title}</span>
                {count > 0 && (
                  <span
                    class="ml-auto rounded-full bg-red-600 px-1.5 text-xs font-bold text-white"
                    data-unread={count}
                  >
                    {count > 99 ? "99+" : count}
                    <span class="sr-only">unread</span>
                  </span>
                )}
              </a>
              <button
                type="button"
                aria-label={`Close conversation with ${title}`}
                title="Close"
                class="mr-1 rounded px-1 text-slate-500 opacity-0 group-hover:opacity-100 focus:opacity-100 dark:text-slate-400"
                onClick={async () => {
                  const closed = await call(
                    `/api/channels/${channel.id}`,
                    { method: "DELETE" },
                    nothing,
                  );
                  if (!closed.ok && closed.error.status !== 404) return;
                  forgetDm(channel.id);
                  if (channel.id === current) location.assign("/chat/dm");
                }}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
