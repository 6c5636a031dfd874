/**
 * The server's channel list. Live: unread counts and mention counts follow the socket, and a
 * channel created meanwhile appears. Plain links, so it works the same without JavaScript.
 */
import { useSignal } from "@preact/signals";
import type { WireChannel } from "../lib/realtime/protocol.ts";
import { countOf, useUnread } from "./runtime/unread.ts";
import type { UnreadMap } from "./runtime/unread.ts";
import { UnreadBadge } from "./shared/UnreadBadge.tsx";

export interface ChannelNavProps {
  serverId: string;
  channels: WireChannel[];
  current: string;
  unread: UnreadMap;
  me: { id: string; username: string };
}

export default function ChannelNav(
  { serverId, channels, current, unread: seed, me }: ChannelNavProps,
) {
  const list = useSignal(channels);
  const states = useUnread(seed, me, (event) => {
    if (
      event.type === "channel_created" && event.channel.serverId === serverId &&
      !list.value.some((channel) => channel.id === event.channel.id)
    ) {
      list.value = [...list.value, event.channel];
    }
  });
  return (
    <nav aria-label="Channels">
      <p class="px-4 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
        Channels
      </p>
      <ul class="space-y-0.5 px-2">
        {list.value.map((channel) => {
          const selected = channel.id === current;
          const count = selected ? 0 : countOf(states[channel.id]);
          return (
            <li key={channel.id}>
              <a
                href={`/chat/${serverId}/${channel.id}`}
                aria-current={selected ? "page" : undefined}
                class={`flex items-center rounded-md px-2 py-1 ${
                  selected
                    ? "bg-slate-200 font-semibold text-slate-900 dark:bg-slate-700 dark:text-white"
                    : "text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
                }`}
              >
                <span aria-hidden="true" class="mr-1 text-slate-500 dark:text-slate-400">#</span>
                <span
                  class={`truncate ${count ? "font-semibold text-slate-900 dark:text-white" : ""}`}
                >
                  {channel.name}
                </span>
                <UnreadBadge
                  count={count}
                  mentions={selected ? 0 : states[channel.id]?.mentions ?? 0}
                />
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
