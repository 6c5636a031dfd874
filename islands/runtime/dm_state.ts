/**
 * The reader's DMs for every island of the page (the rail's `Direct messages` count, the DM
 * list, notifications, the favicon badge): seeded by `ready.dms` (or a page's own list), then
 * kept live by `dm_created`, `dm_updated`, `message`/`ack` (newest activity first, unread
 * counts up; the reader's own messages are read) and `read`.
 */
import { computed, signal } from "@preact/signals";
import type { ServerEvent } from "../../lib/realtime/protocol.ts";
import type { DmChannel, DmEvent, ReadyWithDms } from "./dm_types.ts";
import { latestReady, onEvent, startSocket } from "./socket_client.ts";

/** Newest activity first. Empty until known (the socket's `ready`, or a page's seed). */
export const dms = signal<DmChannel[]>([]);

/** Unread messages in DMs (seq distance, as unread.ts counts). */
export const dmUnreadTotal = computed(() =>
  dms.value.reduce((sum, channel) => sum + Math.max(0, channel.lastSeq - channel.readSeq), 0)
);

/** True once a `ready` (or a seed) has said which DMs the reader has. */
export const dmsKnown = signal(false);

let started = false;

/** Merges `list` into the store (what is known live wins over an older list). */
export function seedDms(list: DmChannel[]): void {
  const known = new Map(dms.value.map((channel) => [channel.id, channel]));
  dms.value = list.map((channel) => merge(known.get(channel.id), channel));
  dmsKnown.value = true;
}

function merge(before: DmChannel | undefined, after: DmChannel): DmChannel {
  if (!before) return after;
  return {
    ...after,
    lastSeq: Math.max(before.lastSeq, after.lastSeq),
    readSeq: Math.max(before.readSeq, after.readSeq),
  };
}

function update(channelId: string, change: (channel: DmChannel) => DmChannel, toTop = false) {
  const index = dms.value.findIndex((channel) => channel.id === channelId);
  if (index < 0) return;
  const next = change(dms.value[index]);
  const rest = dms.value.filter((_, i) => i !== index);
  dms.value = toTop ? [next, ...rest] : dms.value.map((channel, i) => i === index ? next : channel);
}

/** Moves a DM's read marker here at once (the server is told separately). */
export function markDmRead(channelId: string, seq: number): void {
  const channel = dms.value.find((item) => item.id === channelId);
  if (channel && seq > channel.readSeq) update(channelId, (dm) => ({ ...dm, readSeq: seq }));
}

/** Removes a DM from the list (closed here; it comes back with its next message). */
export function forgetDm(channelId: string): void {
  dms.value = dms.value.filter((channel) => channel.id !== channelId);
}

function apply(event: ServerEvent | DmEvent, meId: () => string | undefined): void {
  switch (event.type) {
    case "ready": {
      const listed = (event as ReadyWithDms).dms;
      if (Array.isArray(listed)) seedDms(listed);
      break;
    }
    case "dm_created":
    case "dm_updated": {
      const before = dms.value.find((channel) => channel.id === event.channel.id);
      const next = merge(before, event.channel);
      dms.value = before
        ? dms.value.map((channel) => channel.id === next.id ? next : channel)
        : [next, ...dms.value];
      break;
    }
    case "message":
    case "ack": {
      const { message } = event;
      const own = event.type === "ack" || message.author.id === meId();
      update(message.channelId, (channel) => ({
        ...channel,
        lastSeq: Math.max(channel.lastSeq, message.seq),
        readSeq: own ? Math.max(channel.readSeq, message.seq) : channel.readSeq,
      }), true);
      break;
    }
    case "read":
      markDmRead(event.channelId, event.seq);
      break;
    case "dm_removed":
      forgetDm(event.channelId);
      break;
  }
}

/** Subscribes the store to the socket, once per page. */
export function startDms(): void {
  if (started) return;
  started = true;
  const meId = () => latestReady()?.user.id;
  onEvent((event) => apply(event as ServerEvent | DmEvent, meId));
  const ready = latestReady();
  if (ready) apply(ready, meId);
  startSocket();
}
