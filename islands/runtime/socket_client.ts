/**
 * The browser's one WebSocket to /ws, shared by every island of the page (islands bundle this
 * module into a shared chunk, so there is a single instance).
 *
 * It authenticates with the session cookie, reconnects with jittered exponential back-off, and
 * after each reconnect sends `resume` with the last seq seen per channel, so nothing is missed.
 * Islands subscribe to its events and read `connection` to show the link state.
 */
import { signal } from "@preact/signals";
import type { ClientFrame, ServerEvent } from "../../lib/realtime/protocol.ts";

export type ConnectionState = "connecting" | "online" | "reconnecting";

/** The link state, for a "Reconnecting…" banner. */
export const connection = signal<ConnectionState>("connecting");

type Listener = (event: ServerEvent) => void;
const listeners = new Set<Listener>();
/** Highest seq seen per channel (from the page's props and from events). */
const lastSeen = new Map<string, number>();
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;

let socket: WebSocket | null = null;
let attempts = 0;
let started = false;
let everReady = false;

/** Subscribes to every server event; returns the unsubscribe function. */
export function onEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Records that the page already shows `channelId` up to `seq` (resume starts there). */
export function noteSeen(channelId: string, seq: number): void {
  if (seq > (lastSeen.get(channelId) ?? 0)) lastSeen.set(channelId, seq);
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
}

function connect(): void {
  const url = new URL("/ws", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(url);
  socket.onmessage = (message) => receive(JSON.parse(message.data) as ServerEvent);
  socket.onclose = (close) => {
    socket = null;
    connection.value = "reconnecting";
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
    attempts = 0;
    connection.value = "online";
    if (everReady && lastSeen.size > 0) {
      socket?.send(JSON.stringify({ type: "resume", channels: Object.fromEntries(lastSeen) }));
    }
    everReady = true;
  }
  if (event.type === "message" || event.type === "ack") {
    noteSeen(event.message.channelId, event.message.seq);
  }
  for (const listener of listeners) listener(event);
}
