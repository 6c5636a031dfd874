/**
 * Messages the user sent that the server has not acknowledged yet. Each keeps its nonce, so a
 * resend (after a timeout, a retry or a reconnect) can never store it twice.
 */
import { signal } from "@preact/signals";
import type { WireMessage } from "../../lib/realtime/protocol.ts";
import { onEvent, sendFrame } from "./socket_client.ts";

export interface Pending {
  nonce: string;
  channelId: string;
  content: string;
  /** The message it replies to, if any. */
  replyTo?: string;
  status: "sending" | "failed";
  error?: string;
  sentAt: number;
}

/** Without an ack within this time, a message is shown as failed (with a retry). */
const ACK_TIMEOUT_MS = 10_000;

export const outbox = signal<Pending[]>([]);

function update(nonce: string, change: Partial<Pending> | null): void {
  outbox.value = outbox.value.flatMap((item) =>
    item.nonce !== nonce ? [item] : change === null ? [] : [{ ...item, ...change }]
  );
}

function transmit(item: Pending): void {
  sendFrame({
    type: "send",
    channelId: item.channelId,
    content: item.content,
    nonce: item.nonce,
    ...(item.replyTo ? { replyTo: item.replyTo } : {}),
  });
  setTimeout(() => {
    const current = outbox.value.find((pending) => pending.nonce === item.nonce);
    if (current?.status === "sending" && current.sentAt === item.sentAt) {
      update(item.nonce, { status: "failed", error: "Not delivered yet." });
    }
  }, ACK_TIMEOUT_MS);
}

/** Queues a message and sends it now if the socket is up (else on reconnect). */
export function submit(channelId: string, content: string, replyTo?: string): void {
  const item: Pending = {
    nonce: crypto.randomUUID(),
    channelId,
    content,
    replyTo,
    status: "sending",
    sentAt: Date.now(),
  };
  outbox.value = [...outbox.value, item];
  transmit(item);
}

/** Sends a failed message again, with its original nonce. */
export function retry(nonce: string): void {
  const item = outbox.value.find((pending) => pending.nonce === nonce);
  if (!item) return;
  const again = { ...item, status: "sending" as const, error: undefined, sentAt: Date.now() };
  update(nonce, again);
  transmit(again);
}

/** Calls `onAck` with each acknowledged message and keeps the outbox in step with the server. */
export function watchOutbox(onAck: (message: WireMessage) => void): () => void {
  return onEvent((event) => {
    if (event.type === "ack") {
      update(event.nonce, null);
      onAck(event.message);
    } else if (event.type === "error" && event.nonce) {
      update(event.nonce, { status: "failed", error: event.message });
    } else if (event.type === "ready") {
      // Reconnected: everything still unacknowledged goes again (same nonces: no duplicates).
      for (const item of outbox.value) retry(item.nonce);
    }
  });
}
