/**
 * What the reader has not read yet, per channel, for every island of the page: the channel list
 * (badges), the server rail (dots) and the tab title. Seeded from what the server rendered, then
 * kept live by the socket: `ready` (latest seq and read marker of every channel of every server),
 * `message` (counts up, and counts mentions of the reader), `ack` (own messages are read),
 * `read` (a marker moved, in this tab or another), `channel_created` and `server_joined`; and
 * `channel_deleted`, `server_deleted` and `server_left` drop what the reader no longer has.
 */
import { computed, effect, signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ServerEvent } from "../../lib/realtime/protocol.ts";
import { mentionsReader } from "../shared/mentions.ts";
import { onEvent, startSocket } from "./socket_client.ts";

export interface ChannelUnread {
  serverId: string;
  lastSeq: number;
  readSeq: number;
  /** Unread messages that mention the reader. */
  mentions: number;
}

export type UnreadMap = Record<string, ChannelUnread>;

/** Per channel id. Empty until `startUnread` runs (in the browser only: never during SSR). */
export const unread = signal<UnreadMap>({});

/** Unread messages of a channel (seq distance: deletions aside, close enough for a badge). */
export const countOf = (state: ChannelUnread | undefined): number =>
  state ? Math.max(0, state.lastSeq - state.readSeq) : 0;

/** Every unread message the reader has, for the tab title. */
export const totalUnread = computed(() =>
  Object.values(unread.value).reduce((sum, state) => sum + countOf(state), 0)
);

let started = false;
/** The open channel while its reader is at its bottom on a visible page: it reads as it comes. */
let readingNow: string | null = null;

/** Called by the message list as the reader scrolls and the page shows or hides. */
export function setReading(channelId: string, reading: boolean): void {
  readingNow = reading ? channelId : readingNow === channelId ? null : readingNow;
}

/**
 * Seeds the store (channels already known keep their live state) and, once per page, subscribes
 * to the socket and keeps the tab title's "(N)" in step. `me` is the reader's username.
 */
export function startUnread(seed: UnreadMap, me: { id: string; username: string }): void {
  unread.value = { ...seed, ...unread.value };
  if (started) return;
  started = true;
  onEvent((event) => apply(event, me));
  const title = document.title.replace(/^\(\d+\+?\) /, "");
  let pending: ReturnType<typeof setTimeout> | undefined;
  effect(() => {
    const total = totalUnread.value;
    // Setting the title costs a trip to the browser process: never on the way from the socket
    // to the screen, and once for a burst.
    clearTimeout(pending);
    pending = setTimeout(() => {
      document.title = total > 0 ? `(${total > 99 ? "99+" : total}) ${title}` : title;
    });
  });
}

/** Moves a channel's read marker here at once (the server is told separately). */
export function markReadLocally(channelId: string, seq: number): void {
  change(channelId, (state) => seq > state.readSeq ? readUpTo(state, seq) : state);
}

function readUpTo(state: ChannelUnread, seq: number): ChannelUnread {
  const readSeq = Math.max(state.readSeq, seq);
  // Which mentions lie below the new marker is not known here; all read means none left.
  return { ...state, readSeq, mentions: readSeq >= state.lastSeq ? 0 : state.mentions };
}

function change(channelId: string, update: (state: ChannelUnread) => ChannelUnread): void {
  const state = unread.value[channelId];
  if (!state) return;
  const next = update(state);
  if (next === state) return;
  if (countOf(next) === countOf(state) && next.mentions === state.mentions) {
    // What any island shows is unchanged (a message read as it came): keep the markers up to
    // date without waking the channel list, the rail and the title on every message.
    Object.assign(state, next);
    return;
  }
  unread.value = { ...unread.value, [channelId]: next };
}

/** Forgets the channels the reader no longer has (deleted, hidden, or of a server left). */
function drop(gone: (id: string, state: ChannelUnread) => boolean): void {
  const kept = Object.entries(unread.value).filter(([id, state]) => !gone(id, state));
  if (kept.length !== Object.keys(unread.value).length) unread.value = Object.fromEntries(kept);
}

/** Channels new to the reader (created, or of a server joined): nothing unread in them yet. */
function addChannels(channels: { id: string; serverId: string }[]): void {
  const next = { ...unread.value };
  for (const { id, serverId } of channels) {
    next[id] = { serverId, lastSeq: 0, readSeq: 0, mentions: 0 };
  }
  unread.value = next;
}

/**
 * The unread state after a `ready`: its seqs and read markers for every channel it lists (a
 * marker never moves back, so one moved here while the socket was down stays). `ready` carries
 * no mention counts: those the page was seeded with, or counted live, are kept while unread
 * messages remain (at most one per unread message) and end when the channel is all read.
 * Channels `ready` does not list are no longer the reader's and are dropped.
 */
export function mergeReady(
  known: UnreadMap,
  servers: Extract<ServerEvent, { type: "ready" }>["servers"],
): UnreadMap {
  const next: UnreadMap = {};
  for (const { server, channels } of servers) {
    for (const channel of channels) {
      const before = known[channel.id];
      const lastSeq = Math.max(channel.lastSeq, before?.lastSeq ?? 0);
      const readSeq = Math.max(channel.readSeq, before?.readSeq ?? 0);
      const left = Math.max(0, lastSeq - readSeq);
      next[channel.id] = {
        serverId: server.id,
        lastSeq,
        readSeq,
        mentions: Math.min(before?.mentions ?? 0, left),
      };
    }
  }
  return next;
}

function apply(event: ServerEvent, me: { id: string; username: string }): void {
  switch (event.type) {
    case "ready":
      unread.value = mergeReady(unread.value, event.servers);
      break;
    case "message": {
      const { message } = event;
      const own = message.author.id === me.id;
      change(message.channelId, (state) => {
        if (message.seq <= state.lastSeq && !own) return state;
        const next = { ...state, lastSeq: Math.max(state.lastSeq, message.seq) };
        if (own || readingNow === message.channelId) return readUpTo(next, message.seq);
        if (message.seq > state.readSeq && mentionsReader(message, me)) {
          next.mentions++;
        }
        return next;
      });
      break;
    }
    case "ack":
      change(
        event.message.channelId,
        (state) =>
          readUpTo(
            { ...state, lastSeq: Math.max(state.lastSeq, event.message.seq) },
            event.message.seq,
          ),
      );
      break;
    case "read":
      markReadLocally(event.channelId, event.seq);
      break;
    case "channel_created":
      // A channel seen again (a permission came back) keeps what it had.
      if (!unread.value[event.channel.id]) addChannels([event.channel]);
      break;
    case "channel_deleted":
      drop((id) => id === event.channelId);
      break;
    case "server_deleted":
    case "server_left":
      drop((_, state) => state.serverId === event.serverId);
      break;
    case "server_joined":
      addChannels(event.channels);
      break;
  }
}

/**
 * For an island showing unread state: what the server rendered (`seed`) until hydrated, then
 * the live store. `onServerEvent` also sees every socket event (for lists that change live).
 */
export function useUnread(
  seed: UnreadMap,
  me: { id: string; username: string },
  onServerEvent: (event: ServerEvent) => void = () => {},
): UnreadMap {
  const live = useSignal(false);
  useEffect(() => {
    startUnread(seed, me);
    live.value = true;
    startSocket();
    return onEvent(onServerEvent);
  }, []);
  return live.value ? unread.value : seed;
}
