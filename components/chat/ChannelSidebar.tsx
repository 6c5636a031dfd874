import type { ComponentChildren } from "preact";
import type { PublicUser } from "../../lib/public_user.ts";
import type { WireChannel, WireServer } from "../../lib/realtime/protocol.ts";
import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { ChannelNav, LeaveServerButton } from "../islands.ts";
import { UserPanel } from "./UserPanel.tsx";

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

/**
 * The server's name (with Leave for members: owners cannot leave), the invite control, its
 * channels, and the signed-in user's panel at the bottom.
 */
export function ChannelSidebar(
  { server, channels, current, user, isOwner, unread, invite }: ChannelSidebarProps,
) {
  return (
    <div class="flex w-60 shrink-0 flex-col bg-slate-50 dark:bg-slate-900">
      <div class="flex items-center gap-1 border-b border-slate-200 py-2 pl-4 pr-2 dark:border-slate-800">
        <h2 class="min-w-0 flex-1 truncate py-1 font-bold">{server.name}</h2>
        {!isOwner && <LeaveServerButton serverId={server.id} serverName={server.name} />}
      </div>
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
      </div>
      <UserPanel user={user} />
    </div>
  );
}
