/**
 * The open channel's name and topic in the header, live: a rename or a new topic shows at once
 * (the page's title follows the name). It also wakes the header's `Search` box (server-rendered
 * in components/chat/ChannelPage.tsx): the search panel's code loads on the box's first focus.
 */
import { useEffect } from "preact/hooks";
import { useServerState } from "./runtime/server_state.ts";
import type { ServerState } from "./runtime/server_state.ts";
import { SEARCH_BOX_ID } from "./search/box.ts";
import { NotifyButton } from "./components/NotifyButton.tsx";

export interface ChannelHeadingProps {
  seed: ServerState;
}

export default function ChannelHeading({ seed }: ChannelHeadingProps) {
  const state = useServerState(seed);
  const channel = state.channels.find((item) => item.id === state.channelId) ??
    seed.channels.find((item) => item.id === seed.channelId);
  const name = channel?.name ?? "";
  useEffect(() => {
    // The search box wakes on its first focus. Set again on a rename (the same handler: one
    // effect rather than two, for the page's JavaScript budget).
    const box = document.getElementById(SEARCH_BOX_ID) as HTMLInputElement | null;
    if (box) {
      box.onfocus = () => import("./search/mount.tsx").then((loaded) => loaded.mountSearch(box));
    }
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
      {channel && (
        <span class="shrink-0 self-center">
          <NotifyButton targetId={channel.id} name={`#${name}`} kind="channel" />
        </span>
      )}
      {channel?.topic && (
        <p class="hidden truncate text-sm text-slate-600 sm:block dark:text-slate-300">
          {channel.topic}
        </p>
      )}
    </div>
  );
}
