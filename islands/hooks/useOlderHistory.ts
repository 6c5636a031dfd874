/**
 * Loading a channel's history page by page, older than the first loaded message, and around
 * one message further back (a reply's original, a jump): that page, then the pages between it
 * and what is loaded, so the loaded messages stay one run without a gap.
 */
import { batch, useSignal } from "@preact/signals";
import type { Signal } from "@preact/signals";
import { listMessages } from "../runtime/api.ts";
import { mergePage } from "../runtime/message_groups.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";

export interface OlderHistory {
  /** Older messages exist that are not loaded. */
  older: Signal<boolean>;
  /** A page is on its way. */
  loading: Signal<boolean>;
  /**
   * Loads the page before the first loaded message; false if none was loaded (one is on its
   * way already, there is no older one, or the request failed). `beforeMerge` runs once the
   * page is here, just before the list changes; `afterMerge` right after, in the same render,
   * with how many messages were added.
   */
  loadOlder(hooks?: {
    beforeMerge?: () => void;
    afterMerge?: (added: number) => void;
  }): Promise<boolean>;
  /**
   * Loads the page around `seq` and the pages up to the loaded ones (runtime/load_around.ts);
   * false if that failed or the message is too far back.
   */
  loadAround(seq: number): Promise<boolean>;
}

/** Older pages of `channelId`, merged into `messages`. */
export function useOlderHistory(
  channelId: string,
  pageSize: number,
  hasOlder: boolean,
  messages: Signal<ShownMessage[]>,
): OlderHistory {
  const older = useSignal(hasOlder);
  const loading = useSignal(false);

  async function loadOlder(
    { beforeMerge, afterMerge }: Parameters<OlderHistory["loadOlder"]>[0] = {},
  ): Promise<boolean> {
    const first = messages.value[0];
    if (loading.value || !older.value || !first) return false;
    loading.value = true;
    try {
      const result = await listMessages(channelId, { before: first.seq, limit: pageSize });
      if (!result.ok) return false;
      const page = result.value;
      beforeMerge?.();
      batch(() => {
        older.value = page.length === pageSize;
        const before = messages.value.length;
        messages.value = mergePage(messages.value, page);
        afterMerge?.(messages.value.length - before);
      });
      return true;
    } finally {
      loading.value = false;
    }
  }

  function loadAround(seq: number): Promise<boolean> {
    // Rare (a jump far back): its code loads when first needed.
    return import("../runtime/load_around.ts").then(
      (loaded) =>
        loaded.loadAround({ channelId, pageSize, messages, older, merge: mergePage }, seq),
      () => false,
    );
  }

  return { older, loading, loadOlder, loadAround };
}
