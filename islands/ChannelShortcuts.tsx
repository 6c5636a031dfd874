/**
 * Alt+↑ / Alt+↓ move to the previous / next channel of the server, as in Discord. Renders
 * nothing; the channel links in the sidebar remain the way without a keyboard or JavaScript.
 */
import { useEffect } from "preact/hooks";

export interface ChannelShortcutsProps {
  /** Channel page URLs, in sidebar order. */
  urls: string[];
  current: number;
}

export default function ChannelShortcuts({ urls, current }: ChannelShortcutsProps) {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      const next = current + (event.key === "ArrowUp" ? -1 : 1);
      if (next < 0 || next >= urls.length) return;
      event.preventDefault();
      location.assign(urls[next]);
    }
    addEventListener("keydown", onKeyDown);
    return () => removeEventListener("keydown", onKeyDown);
  }, []);
  return null;
}
