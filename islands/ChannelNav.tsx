/**
 * The server's channel list, grouped by category. Live: unread and mention counts follow the
 * socket, and channels created, changed, moved, hidden or deleted meanwhile follow the server
 * state. Plain links, so it works the same without JavaScript.
 *
 * Those with `manage_channels` reorder channels by drag and drop or, on a focused channel,
 * Alt+Shift+↑/↓ (Alt+↑/↓ alone switches channels); each channel's settings open from its gear.
 */
import { useSignal } from "@preact/signals";
import type { WireChannel } from "../lib/realtime/protocol.ts";
import { groupChannels, moveBy, placeAt } from "./runtime/channel_order.ts";
import { channelPermissions, serverPermissions } from "./runtime/permissions.ts";
import { useServerState } from "./runtime/server_state.ts";
import type { ServerState } from "./runtime/server_state.ts";
import { countOf, useUnread } from "./runtime/unread.ts";
import type { UnreadMap } from "./runtime/unread.ts";
import { applyPlacements } from "./runtime/placements.ts";
import { lazy } from "./shared/lazy.tsx";

/** Its code loads when it first opens (the chat page's JavaScript budget). */
const ChannelSettings = lazy(() =>
  import("./governance/ChannelSettings.tsx").then((loaded) => loaded.ChannelSettings)
);
import { UnreadBadge } from "./shared/UnreadBadge.tsx";

export interface ChannelNavProps {
  serverId: string;
  /** The server's state, shared with the other islands (its channels are the list). */
  seed: ServerState;
  current: string;
  unread: UnreadMap;
  me: { id: string; username: string };
}

export default function ChannelNav(
  { serverId, seed, current, unread: seedUnread, me }: ChannelNavProps,
) {
  const state = useServerState(seed);
  const states = useUnread(seedUnread, me);
  const editing = useSignal<string | null>(null);
  const dragging = useSignal<string | null>(null);
  const said = useSignal("");
  const permissions = serverPermissions(state, state.meId);
  const canReorder = permissions.has("manage_channels");
  const canEdit = (channel: WireChannel) =>
    permissions.has("manage_channels") ||
    channelPermissions(state, state.meId, channel).has("manage_roles");
  const groups = groupChannels(state.channels);
  const edited = state.channels.find((c) => c.id === editing.value);

  async function place(moves: ReturnType<typeof moveBy>, channel: WireChannel, text: string) {
    if (moves.length === 0) return;
    const error = await applyPlacements(moves);
    said.value = error ?? `#${channel.name} ${text}.`;
  }

  function onKeyDown(event: KeyboardEvent, channel: WireChannel) {
    if (!canReorder || !event.altKey || !event.shiftKey) return;
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    event.preventDefault();
    event.stopPropagation();
    const step = event.key === "ArrowUp" ? -1 : 1;
    void place(moveBy(state.channels, channel, step), channel, step < 0 ? "moved up" : "moved down")
      .then(() => document.getElementById(`channel-link-${channel.id}`)?.focus());
  }

  function onDrop(event: DragEvent, parentId: string | null, index: number) {
    event.preventDefault();
    const moving = state.channels.find((c) => c.id === dragging.value);
    dragging.value = null;
    if (!moving) return;
    void place(placeAt(state.channels, moving, parentId, index), moving, "moved");
  }

  const row = (channel: WireChannel, parentId: string | null, index: number) => {
    const selected = channel.id === current;
    const count = selected ? 0 : countOf(states[channel.id]);
    return (
      <li
        key={channel.id}
        draggable={canReorder}
        onDragStart={(event) => {
          dragging.value = channel.id;
          event.dataTransfer?.setData("text/plain", channel.id);
        }}
        onDragOver={(event) => dragging.value && event.preventDefault()}
        onDrop={(event) => onDrop(event, parentId, index)}
        class={`group flex items-center rounded-md ${
          dragging.value === channel.id ? "opacity-50" : ""
        }`}
      >
        <a
          id={`channel-link-${channel.id}`}
          href={`/chat/${serverId}/${channel.id}`}
          aria-current={selected ? "page" : undefined}
          aria-keyshortcuts={canReorder ? "Alt+Shift+ArrowUp Alt+Shift+ArrowDown" : undefined}
          onKeyDown={(event) => onKeyDown(event, channel)}
          data-channel={channel.name}
          class={`flex min-w-0 flex-1 items-center rounded-md px-2 py-1 ${
            selected
              ? "bg-slate-200 font-semibold text-slate-900 dark:bg-slate-700 dark:text-white"
              : "text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
          }`}
        >
          <span aria-hidden="true" class="mr-1 text-slate-500 dark:text-slate-400">#</span>
          <span class={`truncate ${count ? "font-semibold text-slate-900 dark:text-white" : ""}`}>
            {channel.name}
          </span>
          <UnreadBadge count={count} mentions={selected ? 0 : states[channel.id]?.mentions ?? 0} />
        </a>
        {canEdit(channel) && (
          <button
            type="button"
            aria-label={`Edit #${channel.name}`}
            title={`Edit #${channel.name}`}
            aria-haspopup="dialog"
            onClick={() => editing.value = channel.id}
            class="ml-0.5 rounded p-1 text-slate-500 hover:bg-slate-200 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white"
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" class="h-4 w-4">
              <path d="M11.1 2.3a1 1 0 0 0-2.2 0l-.2 1.2a6.5 6.5 0 0 0-1.6.9l-1.1-.5a1 1 0 0 0-1.3.4l-1.1 1.9a1 1 0 0 0 .3 1.3l1 .7a6.6 6.6 0 0 0 0 1.8l-1 .7a1 1 0 0 0-.3 1.3l1.1 1.9a1 1 0 0 0 1.3.4l1.1-.5c.5.4 1 .7 1.6.9l.2 1.2a1 1 0 0 0 2.2 0l.2-1.2c.6-.2 1.1-.5 1.6-.9l1.1.5a1 1 0 0 0 1.3-.4l1.1-1.9a1 1 0 0 0-.3-1.3l-1-.7a6.6 6.6 0 0 0 0-1.8l1-.7a1 1 0 0 0 .3-1.3l-1.1-1.9a1 1 0 0 0-1.3-.4l-1.1.5a6.5 6.5 0 0 0-1.6-.9l-.2-1.2ZM10 12.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5Z" />
            </svg>
          </button>
        )}
      </li>
    );
  };

  return (
    <nav aria-label="Channels">
      {groups.map(({ category, channels }) => {
        if (category === null && channels.length === 0) return null;
        const parentId = category?.id ?? null;
        const title = category?.name ?? "Channels";
        const headingId = `channel-group-${category?.id ?? "none"}`;
        return (
          <section key={headingId} aria-labelledby={headingId} class="pb-2">
            <div class="flex items-center px-4 pb-1">
              <h3
                id={headingId}
                class="min-w-0 flex-1 truncate text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
              >
                {title}
              </h3>
              {category && canEdit(category) && (
                <button
                  type="button"
                  aria-label={`Edit category ${category.name}`}
                  onClick={() => editing.value = category.id}
                  class="rounded px-1 text-xs text-slate-500 hover:bg-slate-200 dark:text-slate-400 dark:hover:bg-slate-800"
                >
                  Edit
                </button>
              )}
            </div>
            <ul
              class="space-y-0.5 px-2"
              onDragOver={(event) => dragging.value && event.preventDefault()}
              onDrop={(event) => {
                if (event.target === event.currentTarget) onDrop(event, parentId, channels.length);
              }}
            >
              {channels.map((channel, index) => row(channel, parentId, index))}
              {channels.length === 0 && (
                <li class="px-2 py-1 text-xs text-slate-500 dark:text-slate-400">No channels</li>
              )}
            </ul>
          </section>
        );
      })}
      <p aria-live="polite" class="sr-only">{said.value}</p>
      {edited && (
        <ChannelSettings
          state={state}
          channel={edited}
          onClose={() => editing.value = null}
          place={applyPlacements}
        />
      )}
    </nav>
  );
}
