/** Keeps `lastOwnMessage` (what ↑ in the composer edits) on the reader's latest message here. */
import { useSignalEffect } from "@preact/signals";
import type { Signal } from "@preact/signals";
import { lastOwnMessage } from "../runtime/editing.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";

/** Follows `messages` (and so every edit and deletion the list shows). */
export function useLastOwnMessage(messages: Signal<ShownMessage[]>, meId?: string): void {
  useSignalEffect(() => {
    const own = messages.value.findLast((m) => m.author.id === meId && !m.deleted);
    lastOwnMessage.value = own ? { id: own.id, content: own.content } : null;
  });
}
