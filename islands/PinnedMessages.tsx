/**
 * The channel header's `Pinned messages` button (API.md's screen names): it opens the panel of
 * the channel's pins (components/PinsPanel.tsx), whose code loads when it first opens.
 */
import { useSignal } from "@preact/signals";
import { lazy } from "./shared/lazy.tsx";
import type { PinsPanelProps } from "./components/PinsPanel.tsx";

const PinsPanel = lazy<PinsPanelProps>(() =>
  import("./components/PinsPanel.tsx").then((loaded) => loaded.default)
);

export interface PinnedMessagesProps {
  serverId: string;
  channelId: string;
  /** Tailwind classes of the header's icon buttons. */
  class?: string;
}

export default function PinnedMessages(
  { serverId, channelId, class: className }: PinnedMessagesProps,
) {
  const open = useSignal(false);
  return (
    <>
      <button
        type="button"
        aria-haspopup="dialog"
        class={className}
        title="Pinned messages"
        onClick={() => open.value = true}
      >
        <svg
          viewBox="0 0 24 24"
          class="h-5 w-5"
          aria-hidden="true"
          fill="none"
          stroke="currentColor"
          stroke-width="2"
        >
          <path
            d="M9 4h6l-1 6 4 4H6l4-4-1-6zM12 14v6"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
        <span class="sr-only">Pinned messages</span>
      </button>
      {open.value && (
        <PinsPanel
          serverId={serverId}
          channelId={channelId}
          onClose={() => open.value = false}
        />
      )}
    </>
  );
}
