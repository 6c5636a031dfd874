/**
 * The reader's read marker follows what they read: reading happens at the bottom of a visible
 * page, after a short stay there (a scroll past the bottom is not reading). The unread store
 * moves at once; the server is told once per move, while the page is connected: a marker that
 * moved while the link was down (the server restarting) is sent once it is back.
 */
import { useSignalEffect } from "@preact/signals";
import type { Signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { markRead as saveReadMarker } from "../runtime/api.ts";
import type { ShownMessage } from "../runtime/message_groups.ts";
import { connection } from "../runtime/socket_client.ts";
import { markReadLocally, setReading } from "../runtime/unread.ts";
import { markDmRead } from "../runtime/dm_state.ts";

/** The read marker moves once the reader has been at the bottom this long. */
const READ_DELAY_MS = 300;

export interface ReadMarker {
  /** Moves the marker to the latest message soon, if the reader is still reading then. */
  markRead(): void;
  /** Tells the unread store whether this channel is being read now. */
  reportReading(): void;
}

/** `atBottom` says whether the reader is at the bottom of the list now. */
export function useReadMarker(
  channelId: string,
  messages: Signal<ShownMessage[]>,
  readSeq: number,
  atBottom: () => boolean,
): ReadMarker {
  const lastRead = useRef(readSeq);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reading = () => atBottom() && document.visibilityState === "visible";

  function markRead() {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const last = messages.value.at(-1)?.seq ?? 0;
      if (!reading() || last <= lastRead.current) return;
      markReadLocally(channelId, last);
      markDmRead(channelId, last);
      if (connection.value !== "online") return; // sent on reconnect (below)
      const before = lastRead.current;
      lastRead.current = last;
      void saveReadMarker(channelId, last).then((result) => {
        // Not saved: the next move (or reconnect) tries again.
        if (!result.ok && lastRead.current === last) lastRead.current = before;
      });
    }, READ_DELAY_MS);
  }

  function reportReading() {
    setReading(channelId, reading());
  }

  useSignalEffect(() => {
    void messages.value;
    if (connection.value === "online") markRead();
  });
  useEffect(() => {
    const onVisibility = () => {
      reportReading();
      markRead();
    };
    onVisibility();
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  return { markRead, reportReading };
}
