import type { ComponentChildren } from "preact";
import type { PublicUser } from "../../lib/public_user.ts";
import type { WireChannel, WireServer } from "../../lib/realtime/protocol.ts";
import { UserAvatar } from "../../islands/shared/UserAvatar.tsx";
import { ThemeToggle } from "../islands.ts";

export interface ChannelSidebarProps {
  server: WireServer;
  channels: WireChannel[];
  current: string;
  user: PublicUser;
  isOwner: boolean;
  /** Unread messages per channel id. */
  unread: Record<string, number>;
  /** The invite control (an island). */
  invite: ComponentChildren;
}

/** The server's name, its channels, the invite control, and the signed-in user at the bottom. */
export function ChannelSidebar(
  { server, channels, current, user, isOwner, unread, invite }: ChannelSidebarProps,
) {
  return (
    <div class="flex w-60 shrink-0 flex-col bg-slate-50 dark:bg-slate-900">
      <h2 class="truncate border-b border-slate-200 px-4 py-3 font-bold dark:border-slate-800">
        {server.name}
      </h2>
      <div class="min-h-0 flex-1 space-y-4 overflow-y-auto py-3">
        {invite}
        <nav aria-label="Channels">
          <p class="px-4 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">
            Channels
          </p>
          <ul class="space-y-0.5 px-2">
            {channels.map((channel) => (
              <li key={channel.id}>
                <a
                  href={`/chat/${server.id}/${channel.id}`}
                  aria-current={channel.id === current ? "page" : undefined}
                  class={`flex items-center rounded-md px-2 py-1 ${
                    channel.id === current
                      ? "bg-slate-200 font-semibold text-slate-900 dark:bg-slate-700 dark:text-white"
                      : "text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
                  }`}
                >
                  <span aria-hidden="true" class="mr-1 text-slate-400">#</span>
                  <span
                    class={`truncate ${
                      unread[channel.id] ? "font-semibold text-slate-900 dark:text-white" : ""
                    }`}
                  >
                    {channel.name}
                  </span>
                  {channel.id !== current && (unread[channel.id] ?? 0) > 0 && (
                    <span
                      class="ml-auto rounded-full bg-red-600 px-1.5 text-xs font-bold text-white"
                      data-unread={unread[channel.id]}
                    >
                      {unread[channel.id] > 99 ? "99+" : unread[channel.id]}
                      <span class="sr-only">unread</span>
                    </span>
                  )}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {isOwner && (
          <form method="post" action={`/chat/${server.id}/channels`} class="flex gap-1 px-2">
            <label for="new-channel" class="sr-only">New channel name</label>
            <input
              id="new-channel"
              name="name"
              required
              maxLength={32}
              placeholder="new-channel"
              class="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
            />
            <button
              type="submit"
              class="rounded bg-slate-200 px-2 text-sm font-semibold hover:bg-slate-300 dark:bg-slate-700"
            >
              Add
            </button>
          </form>
        )}
        {!isOwner && (
          <form method="post" action={`/chat/${server.id}/leave`} class="px-2">
            <button
              type="submit"
              class="w-full rounded-md px-3 py-1.5 text-left text-sm text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"
            >
              Leave {server.name}
            </button>
          </form>
        )}
      </div>
      <div class="flex items-center border-t border-slate-200 dark:border-slate-800">
        <a
          href="/profile"
          class="flex items-center gap-2 min-w-0 flex-1 px-3 py-2 hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          <UserAvatar user={user} class="h-8 w-8" />
          <span class="min-w-0">
            <span class="block truncate text-sm font-semibold">{user.displayName}</span>
            <span class="block truncate text-xs text-slate-500">@{user.username}</span>
          </span>
        </a>
        <ThemeToggle />
      </div>
    </div>
  );
}
