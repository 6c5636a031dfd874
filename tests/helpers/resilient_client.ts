/**
 * A chat client that behaves like the browser's (islands/runtime): it reconnects with jittered
 * back-off, resumes from the last seq it has without a gap, and resends unacknowledged messages
 * with their original nonces. Fault tests drive it through restarts.
 */
import type { ServerEvent, WireMessage } from "../../lib/realtime/protocol.ts";
import type { HttpClient } from "./http_client.ts";

interface Outgoing {
  channelId: string;
  content: string;
}

export class ResilientClient {
  /** Every `message` event received, in arrival order. */
  readonly messages: WireMessage[] = [];
  /** Acknowledged sends by nonce. */
  readonly acks = new Map<string, WireMessage>();
  /** Close codes seen. */
  readonly closes: number[] = [];
  readonly outbox = new Map<string, Outgoing>();
  #seen = new Map<string, { upTo: number; above: Set<number> }>();
  #socket?: WebSocket;
  #attempts = 0;
  #everReady = false;
  #stopped = false;
  #nonce = 0;

  constructor(
    readonly base: string,
    readonly cookie: string,
    readonly name: string,
    channels: string[],
  ) {
    for (const channelId of channels) this.#seen.set(channelId, { upTo: 0, above: new Set() });
  }

  start(): void {
    const DenoWebSocket = WebSocket as unknown as new (
      url: string,
      options: { headers: Record<string, string> },
    ) => WebSocket;
    const socket = new DenoWebSocket(`${this.base.replace(/^http/, "ws")}/ws`, {
      headers: { Cookie: this.cookie },
    });
    this.#socket = socket;
    socket.onmessage = (message) => this.#receive(JSON.parse(message.data));
    socket.onopen = () => {
      // Resume at once, the first time too (from what this client already has): the server
      // replays before any live event reaches this socket.
      const channels = Object.fromEntries([...this.#seen].map(([id, s]) => [id, s.upTo]));
      socket.send(JSON.stringify({ type: "resume", channels }));
    };
    socket.onerror = () => {};
    socket.onclose = (close) => {
      this.closes.push(close.code);
      if (this.#stopped) return;
      const delay = Math.min(1000, 50 * 2 ** this.#attempts++);
      setTimeout(() => this.start(), delay / 2 + Math.random() * delay / 2);
    };
  }

  /** Queues a message; it is sent now if connected, else after the next `ready`. */
  send(channelId: string, content: string): string {
    const nonce = `${this.name}-${this.#nonce++}`;
    this.outbox.set(nonce, { channelId, content });
    this.#transmit(nonce);
    return nonce;
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.close();
  }

  #transmit(nonce: string): void {
    const item = this.outbox.get(nonce);
    if (!item || !this.#everReady || this.#socket?.readyState !== WebSocket.OPEN) return;
    this.#socket.send(JSON.stringify({ type: "send", ...item, nonce }));
  }

  #advance(channelId: string, seq: number): void {
    const state = this.#seen.get(channelId);
    if (!state) return;
    if (seq > state.upTo) state.above.add(seq);
    while (state.above.delete(state.upTo + 1)) state.upTo++;
  }

  #receive(event: ServerEvent): void {
    switch (event.type) {
      case "ready": {
        this.#attempts = 0;
        this.#everReady = true;
        for (const nonce of this.outbox.keys()) this.#transmit(nonce);
        break;
      }
      case "message":
        this.messages.push(event.message);
        this.#advance(event.message.channelId, event.message.seq);
        break;
      case "ack":
        this.outbox.delete(event.nonce);
        this.acks.set(event.nonce, event.message);
        this.#advance(event.message.channelId, event.message.seq);
        break;
      case "error":
        // The database was briefly away: try the same nonce again shortly.
        if (event.nonce && event.code === "unavailable") {
          const nonce = event.nonce;
          setTimeout(() => this.#transmit(nonce), 200);
        }
        break;
    }
  }
}

/**
 * Checks what a fault test promises: the history has every seq once, every acked nonce once;
 * each client saw every message of the others exactly once and in order, and has an ack for
 * each of its own.
 */
export function assertExactlyOnce(history: WireMessage[], clients: ResilientClient[]): string[] {
  const problems: string[] = [];
  history.forEach((message, i) => {
    if (message.seq !== i + 1) problems.push(`history seq ${message.seq} at position ${i + 1}`);
  });
  const nonces = history.map((message) => message.nonce);
  if (new Set(nonces).size !== nonces.length) problems.push("a nonce is stored twice");
  for (const client of clients) {
    if (client.outbox.size > 0) {
      problems.push(`${client.name}: ${client.outbox.size} never acknowledged`);
    }
    for (const [nonce] of client.acks) {
      if (!nonces.includes(nonce)) problems.push(`${client.name}: acked ${nonce} is not stored`);
    }
    const own = (message: WireMessage) => message.nonce?.startsWith(`${client.name}-`);
    const expected = history.filter((message) => !own(message)).map((message) => message.seq);
    const received = client.messages.filter((message) => !own(message)).map((message) =>
      message.seq
    );
    if (JSON.stringify(received) !== JSON.stringify(expected)) {
      problems.push(
        `${client.name}: others' messages received ${received.join(",")} but stored ${
          expected.join(",")
        }`,
      );
    }
  }
  return problems;
}

/** A channel's whole stored history, paged by seq (retrying while the database is away). */
export async function storedHistory(client: HttpClient, channelId: string): Promise<WireMessage[]> {
  const all: WireMessage[] = [];
  for (let attempt = 0; attempt < 200;) {
    const after = all.at(-1)?.seq ?? 0;
    const page = await client.json<{ messages: WireMessage[] }>(
      "GET",
      `/api/channels/${channelId}/messages?after=${after}&limit=100`,
    );
    if (page.status !== 200) {
      attempt++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    all.push(...page.body.messages);
    if (page.body.messages.length < 100) return all;
  }
  throw new Error("Could not read the history");
}
