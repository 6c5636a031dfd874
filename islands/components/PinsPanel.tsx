/**
 * The `Pinned messages` panel (opened from the channel header's button, PinnedMessages.tsx):
 * the channel's pins, newest first (GET /api/channels/:id/pins), each with who pinned it and a
 * link to the message in the conversation. Live while open: a pin, an unpin, an edit or a
 * deletion in the channel reads the list again. Its own chunk, loaded when first opened.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { WirePin } from "../../lib/realtime/protocol.ts";
import { listPins } from "../runtime/api.ts";
import { onEvent } from "../runtime/socket_client.ts";
import { serverState } from "../runtime/server_state.ts";
import { Modal } from "../governance/Modal.tsx";
import { renderMarkdown } from "../shared/markdown.tsx";
import { fullTime } from "../shared/times.ts";
import { UserAvatar } from "../shared/UserAvatar.tsx";

export interface PinsPanelProps {
  serverId: string;
  channelId: string;
  onClose: () => void;
}

export default function PinsPanel({ serverId, channelId, onClose }: PinsPanelProps) {
  const pins = useSignal<WirePin[] | null>(null);
  const error = useSignal<string | null>(null);

  async function load() {
    const result = await listPins(channelId);
    if (result.ok) {
      pins.value = result.value;
      error.value = null;
    } else error.value = result.error.message;
  }

  useEffect(() => {
    void load();
    return onEvent((event) => {
      const here = ("channelId" in event && event.channelId === channelId) ||
        (event.type === "message_updated" && event.message.channelId === channelId);
      const relevant = event.type === "message_pinned" || event.type === "message_unpinned" ||
        event.type === "message_deleted" || event.type === "message_updated";
      if (here && relevant) void load();
    });
  }, []);

  const nameOf = (userId: string) =>
    serverState.value?.members.find((member) => member.user.id === userId)?.user.displayName ??
      "someone";

  return (
    <Modal open onClose={onClose} title="Pinned messages">
      <div class="space-y-3" data-pins="">
        {error.value && <p role="alert" class="text-sm text-red-600">{error.value}</p>}
        {!pins.value && !error.value && <p class="text-sm text-slate-500">Loading…</p>}
        {pins.value?.length === 0 && (
          <p class="text-sm text-slate-600 dark:text-slate-400">
            No pinned messages in this channel yet.
          </p>
        )}
        {pins.value && pins.value.length > 0 && (
          <ul class="space-y-3" aria-label="Pinned messages">
            {pins.value.map(({ message, pinnedBy, pinnedAt }) => (
              <li
                key={message.id}
                data-pin={message.id}
                class="rounded-lg border border-slate-200 p-2 dark:border-slate-700"
              >
                <p class="flex items-center gap-2 text-sm">
                  <UserAvatar user={message.author} class="h-6 w-6" decorative />
                  <span class="font-semibold">{message.author.displayName}</span>
                  <time datetime={message.createdAt} class="text-xs text-slate-500">
                    {fullTime(message.createdAt)}
                  </time>
                </p>
                <div class="mt-1 break-words text-sm [overflow-wrap:anywhere]">
                  {renderMarkdown(message.content)}
                </div>
                <p class="mt-1 flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
                  <span>Pinned by {nameOf(pinnedBy)} · {fullTime(pinnedAt)}</span>
                  <a
                    class="ml-auto font-semibold text-brand-600 underline dark:text-brand-100"
                    href={`/chat/${serverId}/${channelId}?m=${message.seq}`}
                  >
                    Go to message
                  </a>
                </p>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Modal>
  );
}
