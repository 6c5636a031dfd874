import type { ComponentChildren } from "preact";
import type { PublicUser } from "../../lib/public_user.ts";
import type { WireChannel, WireServer } from "../../lib/realtime/protocol.ts";
import { UserAvatar } from "../../islands/shared/UserAvatar.tsx";
import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { ChannelNav, ThemeToggle } from "../islands.ts";

export interface ChannelSidebarProps {
  server: WireServer;
  channels: WireChannel[];
  current: string;
  user: PublicUser;
  isOwner: boolean;
  /** Unread state per channel id, as the page was rendered. */
  unread: UnreadMap;
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
        <ChannelNav
          serverId={server.id}
          channels={channels}
          current={current}
          unread={unread}
          me={{ id: user.id, username: user.username }}
        />
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
            <span class="block truncate text-xs text-slate-500 dark:text-slate-400">
              @{user.username}
            </span>
          </span>
        </a>
        <ThemeToggle />
      </div>
    </div>
  );
}
