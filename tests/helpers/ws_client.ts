/** A WebSocket test client: records every frame and waits for the ones a test expects. */
import type { ClientFrame, ServerEvent } from "../../lib/realtime/protocol.ts";

export interface WsOptions {
  cookie?: string;
  origin?: string;
}

const WAIT_MS = 5000;

export class WsClient {
  readonly frames: ServerEvent[] = [];
  readonly closed: Promise<CloseEvent>;
  #waiters: { match: (event: ServerEvent) => boolean; resolve: (event: ServerEvent) => void }[] =
    [];

  private constructor(readonly socket: WebSocket) {
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data) as ServerEvent;
      this.frames.push(event);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (!waiter.match(event)) return true;
        waiter.resolve(event);
        return false;
      });
    };
    this.closed = new Promise((resolve) => socket.addEventListener("close", resolve));
  }

  /** Opens a socket to `base` (http URL of the app) and waits for it to be open. */
  static async connect(base: string, options: WsOptions = {}): Promise<WsClient> {
    const headers: Record<string, string> = {};
    if (options.cookie) headers.Cookie = options.cookie;
    if (options.origin) headers.Origin = options.origin;
    // Deno's WebSocket takes handshake headers; the DOM typings in our lib list do not know it.
    const DenoWebSocket = WebSocket as unknown as new (
      url: string,
      options: { headers: Record<string, string> },
    ) => WebSocket;
    const socket = new DenoWebSocket(`${base.replace(/^http/, "ws")}/ws`, { headers });
    const client = new WsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error("WebSocket failed to open"));
    });
    return client;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Uint8Array<ArrayBuffer>): void {
    this.socket.send(data);
  }

  /** The first recorded or future frame that matches (frames are not consumed). */
  next<T extends ServerEvent["type"]>(
    type: T,
    match: (event: Extract<ServerEvent, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ServerEvent, { type: T }>> {
    const test = (event: ServerEvent) =>
      event.type === type && match(event as Extract<ServerEvent, { type: T }>);
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen as Extract<ServerEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`No ${type} frame within ${WAIT_MS} ms`)),
        WAIT_MS,
      );
      this.#waiters.push({
        match: test,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event as Extract<ServerEvent, { type: T }>);
        },
      });
    });
  }

  /** Frames of one type received so far. */
  all<T extends ServerEvent["type"]>(type: T): Extract<ServerEvent, { type: T }>[] {
    return this.frames.filter((event) => event.type === type) as Extract<
      ServerEvent,
      { type: T }
    >[];
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}
