/**
 * The browser's one WebSocket to /ws, shared by every island of the page (islands bundle this
 * module into a shared chunk, so there is a single instance).
 *
 * It authenticates with the session cookie, reconnects with jittered exponential back-off, and
 * after each reconnect sends `resume` with the last seq seen per channel, so nothing is missed,
 * and `since`: the server's time when this page was last in sync (the last `ready`'s
 * `serverTime` plus the local time that passed until the socket dropped), so the server also
 * sends the edits, deletions, reactions and pins missed meanwhile (API.md "Conversations").
 * Islands subscribe to its events and read `connection` to show the link state.
 */
import { signal } from "@preact/signals";
import type { ClientFrame, ServerEvent } from "../../lib/realtime/protocol.ts";

export type ConnectionState = "connecting" | "online" | "reconnecting";

/** The link state, for a "Reconnecting…" banner. */
export const connection = signal<ConnectionState>("connecting");

type Listener = (event: ServerEvent) => void;
const listeners = new Set<Listener>();
/**
 * What this page has of each channel: every seq up to `upTo`, plus some above it. `resume`
 * asks from `upTo`, so a message missed while others arrived (an own message acked before
 * someone else's earlier one came) is never skipped; repeats are dropped by id by the islands.
 */
const seen = new Map<string, { upTo: number; above: Set<number> }>();
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;

let socket: WebSocket | null = null;
let attempts = 0;
let started = false;
/** The last `ready`: the server's time then, and the local clock's. */
let lastReady: { serverTime: number; localTime: number } | null = null;
/** The last `ready` frame itself, for islands that mount after it came (see `latestReady`). */
let readyFrame: Extract<ServerEvent, { type: "ready" }> | null = null;

/**
 * The last `ready` this page received, or null. Islands hydrate one by one: one that mounts
 * after the socket was ready (another island opened it) never hears that `ready`.
 */
export function latestReady(): Extract<ServerEvent, { type: "ready" }> | null {
  return readyFrame;
}
/** The server time (ms) up to which this page was in sync when its socket last dropped. */
let syncedUntil: number | null = null;

/** Subscribes to every server event; returns the unsubscribe function. */
export function onEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Records that the page has every message of `channelId` up to `seq` (its rendered history).
 * An island that mounts after another one opened the socket (islands hydrate one by one) was
 * not in the `resume` sent at open: its channel is resumed now, or what came between the page's
 * render and the socket would never arrive.
 */
export function noteSeen(channelId: string, seq: number): void {
  const known = seen.get(channelId);
  const state = known ?? { upTo: 0, above: new Set<number>() };
  state.upTo = Math.max(state.upTo, seq);
  seen.set(channelId, state);
  advance(channelId, state.upTo);
  if (!known && socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "resume", channels: { [channelId]: state.upTo } }));
  }
}

/** Records one received message and moves `upTo` over every seq now present without a gap. */
function advance(channelId: string, seq: number): void {
  const state = seen.get(channelId);
  if (!state) return; // a channel this page does not show: nothing to resume
  if (seq > state.upTo) state.above.add(seq);
  while (state.above.delete(state.upTo + 1)) state.upTo++;
  for (const old of state.above) if (old <= state.upTo) state.above.delete(old);
}

/** Sends a frame if the socket is ready; false otherwise (the caller keeps it for later). */
export function sendFrame(frame: ClientFrame): boolean {
  if (!socket || socket.readyState !== WebSocket.OPEN || connection.value !== "online") {
    return false;
  }
  socket.send(JSON.stringify(frame));
  return true;
}

/** Opens the socket once per page. */
export function startSocket(): void {
  if (started) return;
  started = true;
  connect();
  // The server notifies (a Web Push) only users with no visible live page (API.md
  // "Notifications"): it hears when this one hides or shows.
  document.addEventListener("visibilitychange", sendVisibility);
}

/** False once the server said it does not know the frame (an older server): not sent again. */
let visibilityKnown = true;

/** Tells the server whether this page is visible (after each `ready`, and on each change). */
function sendVisibility(): void {
  if (!visibilityKnown || !socket || socket.readyState !== WebSocket.OPEN) return;
  if (connection.value !== "online") return;
  socket.send(
    JSON.stringify({ type: "visibility", visible: document.visibilityState === "visible" }),
  );
}

function connect(): void {
  const url = new URL("/ws", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(url);
  socket.onmessage = (message) => receive(JSON.parse(message.data) as ServerEvent);
  socket.onopen = () => {
    // Resume at once, the first time too: the page was rendered a moment before this socket
    // existed, and the server replays what came since before any live event reaches us.
    if (seen.size > 0) {
      const channels = Object.fromEntries([...seen].map(([id, state]) => [id, state.upTo]));
      const since = syncedUntil === null ? {} : { since: new Date(syncedUntil).toISOString() };
      socket?.send(JSON.stringify({ type: "resume", channels, ...since }));
    }
  };
  socket.onclose = (close) => {
    socket = null;
    // Once per outage: a reconnect that failed before its `ready` keeps the first drop's time.
    if (lastReady) {
      syncedUntil = lastReady.serverTime + (Date.now() - lastReady.localTime);
      lastReady = null;
    }
    connection.value = "reconnecting";
    document.documentElement.dataset.connection = "reconnecting";
    // 4401/4403: not (or no longer) logged in; reconnecting would not help.
    if (close.code === 4401 || close.code === 4403) {
      location.assign("/login");
      return;
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempts++);
    setTimeout(connect, delay / 2 + Math.random() * delay / 2);
  };
}

function receive(event: ServerEvent): void {
  if (event.type === "ready") {
    readyFrame = event;
    attempts = 0;
    const serverTime = event.serverTime ? Date.parse(event.serverTime) : NaN;
    lastReady = Number.isNaN(serverTime) ? null : { serverTime, localTime: Date.now() };
    connection.value = "online";
    // Also on the page for scripts and tests: live events flow from here on.
    document.documentElement.dataset.connection = "online";
    sendVisibility();
  }
  if (event.type === "error" && event.code === "unknown_type" && /visibility/.test(event.message)) {
    visibilityKnown = false;
    return;
  }
  if (event.type === "message" || event.type === "ack") {
    advance(event.message.channelId, event.message.seq);
  }
  for (const listener of listeners) listener(event);
}
