import type { ComponentChildren } from "preact";
import type { PublicUser } from "../../lib/public_user.ts";
import { CHANNEL_NAME_MAX_LENGTH } from "../../lib/limits.ts";
import type { ServerState } from "../../islands/runtime/server_state.ts";
import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { ChannelNav, ServerHeader } from "../islands.ts";
import { UserPanel } from "./UserPanel.tsx";

export interface ChannelSidebarProps {
  /** The server's state as the page was rendered (shared by the islands). */
  seed: ServerState;
  current: string;
  user: PublicUser;
  /** `manage_channels`: the form to add a channel or a category. */
  canCreateChannels: boolean;
  /** Unread state per channel id, as the page was rendered. */
  unread: UnreadMap;
  /** The invite control (an island), or null for those who may not invite. */
  invite: ComponentChildren;
}

/**
 * The server's header (its name, Server settings, Leave), the invite control, its channels by
 * category, adding a channel, and the signed-in user's panel at the bottom.
 */
export function ChannelSidebar(
  { seed, current, user, canCreateChannels, unread, invite }: ChannelSidebarProps,
) {
  const { server } = seed;
  const categories = seed.channels.filter((channel) => channel.kind === "category");
  return (
    <div class="flex w-60 shrink-0 flex-col bg-slate-50 dark:bg-slate-900">
      <ServerHeader seed={seed} />
      <div class="min-h-0 flex-1 space-y-4 overflow-y-auto py-3">
        {invite}
        <ChannelNav
          serverId={server.id}
          seed={seed}
          current={current}
          unread={unread}
          me={{ id: user.id, username: user.username }}
        />
        {canCreateChannels && (
          <form method="post" action={`/chat/${server.id}/channels`} class="space-y-1 px-2">
            <div class="flex gap-1">
              <label for="new-channel" class="sr-only">New channel name</label>
              <input
                id="new-channel"
                name="name"
                required
                maxLength={CHANNEL_NAME_MAX_LENGTH}
                placeholder="new-channel"
                class="min-w-0 flex-1 rounded border border-slate-400 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-950"
              />
              <button
                type="submit"
                class="rounded bg-slate-200 px-2 text-sm font-semibold hover:bg-slate-300 dark:bg-slate-700"
              >
                Add
              </button>
            </div>
            <div class="flex gap-1">
              <label for="new-channel-kind" class="sr-only">Kind</label>
              <select
                id="new-channel-kind"
                name="kind"
                class="min-w-0 flex-1 rounded border border-slate-400 bg-white px-1 py-0.5 text-xs dark:border-slate-600 dark:bg-slate-950"
              >
                <option value="text">Text channel</option>
                <option value="category">Category</option>
              </select>
              {categories.length > 0 && (
                <>
                  <label for="new-channel-parent" class="sr-only">In category</label>
                  <select
                    id="new-channel-parent"
                    name="parentId"
                    class="min-w-0 flex-1 rounded border border-slate-400 bg-white px-1 py-0.5 text-xs dark:border-slate-600 dark:bg-slate-950"
                  >
                    <option value="">No category</option>
                    {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                </>
              )}
            </div>
          </form>
        )}
      </div>
      <UserPanel user={user} />
    </div>
  );
}
