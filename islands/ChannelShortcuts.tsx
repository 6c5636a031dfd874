/**
 * Alt+↑ / Alt+↓ move to the previous / next channel of the server, as in Discord. Renders
 * nothing; the channel links in the sidebar remain the way without a keyboard or JavaScript.
 */
import { useEffect } from "preact/hooks";
import { orderedChannels } from "./runtime/channel_order.ts";
import { serverState } from "./runtime/server_state.ts";

export interface ChannelShortcutsProps {
  /** Channel page URLs, in sidebar order. */
  urls: string[];
  current: number;
}

export default function ChannelShortcuts({ urls, current }: ChannelShortcutsProps) {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      // Alt+Shift+↑/↓ on a channel moves it (islands/ChannelNav.tsx), not the reader.
      if (event.shiftKey || event.defaultPrevented) return;
      // The live order when the page's server state exists (channels moved, added, hidden).
      const live = serverState.value;
      const order = live
        ? orderedChannels(live.channels).map((c) => `/chat/${live.server.id}/${c.id}`)
        : urls;
      const at = live ? order.indexOf(`/chat/${live.server.id}/${live.channelId}`) : current;
      const next = at + (event.key === "ArrowUp" ? -1 : 1);
      if (at < 0 || next < 0 || next >= order.length) return;
      event.preventDefault();
      location.assign(order[next]);
    }
    addEventListener("keydown", onKeyDown);
    return () => removeEventListener("keydown", onKeyDown);
  }, []);
  return null;
}
