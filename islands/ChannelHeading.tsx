/**
 * The open channel's name and topic in the header, live: a rename or a new topic shows at once
 * (the page's title follows the name).
 */
import { useEffect } from "preact/hooks";
import { useServerState } from "./runtime/server_state.ts";
import type { ServerState } from "./runtime/server_state.ts";

export interface ChannelHeadingProps {
  seed: ServerState;
}

export default function ChannelHeading({ seed }: ChannelHeadingProps) {
  const state = useServerState(seed);
  const channel = state.channels.find((item) => item.id === state.channelId) ??
    seed.channels.find((item) => item.id === seed.channelId);
  const name = channel?.name ?? "";
  useEffect(() => {
    if (!name || typeof document === "undefined") return;
    // Only the "#name" part: the unread count prefix and the server's name stay.
    document.title = document.title.replace(/#[^ ]+ ·/, `#${name} ·`);
  }, [name]);
  return (
    <div class="flex min-w-0 items-baseline gap-3">
      <h1 class="truncate font-bold">
        <span aria-hidden="true" class="text-slate-500 dark:text-slate-400">#</span>
        {name}
      </h1>
      {channel?.topic && (
        <p class="hidden truncate text-sm text-slate-600 sm:block dark:text-slate-300">
          {channel.topic}
        </p>
      )}
    </div>
  );
}
