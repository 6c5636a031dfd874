/**
 * One WebSocket connection: authentication, frame parsing, the client commands of API.md, and
 * ordered delivery of events to this socket.
 *
 * Delivery rules for `message` events, per channel:
 * - before `ready` is sent, events wait (and those already counted in `ready`'s lastSeq drop);
 * - while a `resume` replays a channel from the store, live events for it wait, then only
 *   those above what the replay sent are delivered: no gap, no duplicate.
 */
import type { AccountService, Authenticated } from "../accounts.ts";
import type { ChatService } from "../chat/chat_service.ts";
import { HttpError } from "../errors.ts";
import { isStoreUnavailable, UNAVAILABLE_MESSAGE } from "../../db/unavailable.ts";
import {
  MESSAGE_PAGE_MAX,
  RESUME_GRACE_MS,
  RESUME_MAX_MESSAGES,
  TYPING_THROTTLE_MS,
  WS_AUTH_TIMEOUT_MS,
  WS_CLOSE_SLOW_CONSUMER,
  WS_CLOSE_TRY_AGAIN,
  WS_CLOSE_UNAUTHENTICATED,
  WS_ERROR_WINDOW_MS,
  WS_MAX_BUFFERED_BYTES,
  WS_MAX_ERRORS,
  WS_MAX_FRAME_BYTES,
} from "../limits.ts";
import { toPublicUser } from "../public_user.ts";
import { parseClientFrame } from "./frames.ts";
import type { Hub } from "./hub.ts";
import type { ClientFrame, ServerEvent } from "./protocol.ts";
import type { Subscriber } from "./subscriber.ts";

export interface SocketSessionDeps {
  hub: Hub;
  chat: ChatService;
  accounts: AccountService;
  now?: () => number;
}

interface Pending {
  text: string;
  order?: { channelId: string; seq: number };
}

let nextSocketId = 1;
const utf8 = new TextEncoder();

export class SocketSession implements Subscriber {
  readonly id = nextSocketId++;
  #deps: SocketSessionDeps;
  #socket?: WebSocket;
  #auth: Authenticated | null;
  #ready = false;
  /** Between authentication and `ready`: frames wait in #early. */
  #starting = false;
  #early: ClientFrame[] = [];
  #beforeReady: Pending[] = [];
  /** Highest seq delivered live or replayed, per channel. */
  #sent?: Map<string, number>;
  /** Lowest seq delivered live, per channel (resume replays below it). */
  #firstLive?: Map<string, number>;
  /** Channels whose live events wait for a replay (see #replay). */
  #resuming?: Map<string, Pending[]>;
  #lastTyping?: Map<string, number>;
  /** Bad frames in the current window (two numbers, not a limiter object: sockets are many). */
  #errorCount = 0;
  #errorWindowStart = 0;
  #authTimer?: ReturnType<typeof setTimeout>;
  /** Sends enter the store's queue one after another: stored in the order the socket sent them. */
  #sends?: Promise<void>;
  /** Live messages held just after `ready` while a `resume` may still come (null: not held). */
  #awaitingResume: Pending[] | null = null;
  #graceTimer?: ReturnType<typeof setTimeout>;
  /** Closed, or being closed: never (re)register with the hub. */
  #gone = false;
  /**
   * At least the socket's send buffer: its `bufferedAmount` when last read plus all sent since.
   * Reading `bufferedAmount` calls into the runtime (an eighth of the cost of a delivery in a
   * fan-out profile); the bound says when it can be over the limit, and only then is it read.
   */
  #bufferedBound = 0;

  /** `onFinished` runs once the socket has closed (either side). */
  constructor(
    deps: SocketSessionDeps,
    auth: Authenticated | null,
    onFinished?: () => void,
  ) {
    this.#deps = deps;
    this.#auth = auth;
    this.#onFinished = onFinished;
  }

  get userId(): string {
    return this.#auth?.user.id ?? "";
  }

  get sessionId(): string {
    return this.#auth?.sessionId ?? "";
  }

  /** The socket is open: start at once with a cookie session, else wait for an `auth` frame. */
  open(socket: WebSocket): void {
    this.#socket = socket;
    if (this.#auth) {
      void this.#start();
    } else {
      this.#authTimer = setTimeout(
        () => this.close(WS_CLOSE_UNAUTHENTICATED, "authentication timeout"),
        WS_AUTH_TIMEOUT_MS,
      );
    }
  }

  #onFinished?: () => void;
  /** Closed (either side); `#waiters` are those waiting for it (made only when asked). */
  #ended = false;
  #waiters?: (() => void)[];

  /** Resolves when the socket has closed (either side). */
  finished(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  /** The socket closed (either side). */
  closed(): void {
    this.#gone = true;
    clearTimeout(this.#authTimer);
    clearTimeout(this.#graceTimer);
    this.#deps.hub.remove(this);
    this.#ended = true;
    for (const resolve of this.#waiters ?? []) resolve();
    this.#onFinished?.();
  }

  close(code: number, reason: string): void {
    // Out of the hub at once: a peer that never answers the close handshake (it stopped
    // reading) must not be delivered to, or counted online, until the socket finally dies.
    this.#gone = true;
    this.#deps.hub.remove(this);
    if (this.#socket && this.#socket.readyState <= WebSocket.OPEN) this.#socket.close(code, reason);
  }

  /** Handles one incoming frame. */
  async receive(data: unknown): Promise<void> {
    if (typeof data !== "string") {
      return this.#fail({ code: "binary_not_supported", message: "Frames must be JSON text." });
    }
    // UTF-16 length first (cheap); UTF-8 bytes are at most 3 per unit, so only a frame between
    // a third of the limit and the limit needs encoding. 1009 is "message too big".
    if (
      data.length > WS_MAX_FRAME_BYTES ||
      (data.length > WS_MAX_FRAME_BYTES / 3 && utf8.encode(data).length > WS_MAX_FRAME_BYTES)
    ) {
      return this.close(1009, `frame over ${WS_MAX_FRAME_BYTES} bytes`);
    }
    const parsed = parseClientFrame(data);
    if ("error" in parsed) return this.#fail(parsed.error);
    if (this.#starting && parsed.frame.type !== "ping") {
      // A reconnecting client sends `resume` at once; it is served before any live event.
      this.#early.push(parsed.frame);
      return;
    }
    await this.#dispatch(parsed.frame);
  }

  /** Runs a frame; sends are queued one after another, the rest run at once. */
  async #dispatch(frame: ClientFrame): Promise<void> {
    if (frame.type === "send") {
      // The next send may start once this one is in the store's write queue (which commits in
      // order), not only once it is committed: one socket can keep many sends in flight.
      let queued!: () => void;
      const turn = this.#sends;
      this.#sends = new Promise((resolve) => queued = resolve);
      if (turn) await turn;
      return await this.#run(frame, queued).finally(queued);
    }
    await this.#run(frame);
  }

  /** Handles a frame, turning domain errors into error events. */
  async #run(frame: ClientFrame, queued?: () => void): Promise<void> {
    try {
      await this.#handle(frame, queued);
    } catch (error) {
      if (isStoreUnavailable(error)) {
        // Not the client's fault: an error event it can retry on, not counted against it.
        const nonce = frame.type === "send" ? frame.nonce : undefined;
        return this.#send({
          type: "error",
          code: "unavailable",
          message: UNAVAILABLE_MESSAGE,
          nonce,
        });
      }
      if (!(error instanceof HttpError)) {
        console.error("WebSocket frame failed:", error);
        return this.#fail({ code: "internal_error", message: "Something went wrong on our side." });
      }
      const nonce = frame.type === "send" ? frame.nonce : undefined;
      return this.#fail({ code: error.code, message: error.message, nonce });
    }
  }

  async #handle(frame: ClientFrame, queued?: () => void): Promise<void> {
    if (frame.type === "ping") return this.#send({ type: "pong" });
    if (frame.type === "auth") return await this.#authenticate(frame.token);
    const auth = this.#auth;
    if (!auth || !this.#ready) {
      return this.#fail({ code: "unauthorized", message: "Authenticate first." });
    }
    switch (frame.type) {
      case "send": {
        const { message } = await this.#deps.chat.sendMessage(
          auth.user,
          frame.channelId,
          { content: frame.content, nonce: frame.nonce },
          this.id,
          queued,
        );
        // Typing after a send is news again: the next typing frame must not be throttled away.
        this.#lastTyping?.delete(frame.channelId);
        return this.#send({ type: "ack", nonce: frame.nonce, message });
      }
      case "typing": {
        const now = (this.#deps.now ?? Date.now)();
        if (now - (this.#lastTyping?.get(frame.channelId) ?? -Infinity) < TYPING_THROTTLE_MS) {
          return;
        }
        (this.#lastTyping ??= new Map()).set(frame.channelId, now);
        return await this.#deps.chat.typing(auth.user, frame.channelId, this.id);
      }
      case "resume":
        return await this.#resume(frame.channels);
    }
  }

  async #authenticate(token: string): Promise<void> {
    if (this.#auth) {
      return this.#fail({
        code: "already_authenticated",
        message: "This socket is already authenticated.",
      });
    }
    this.#starting = true;
    const auth = await this.#deps.accounts.authenticate(token);
    if (!auth) {
      this.#starting = false;
      this.#early = [];
      this.#send({ type: "error", code: "unauthorized", message: "Invalid or expired token." });
      return this.close(WS_CLOSE_UNAUTHENTICATED, "invalid token");
    }
    clearTimeout(this.#authTimer);
    this.#auth = auth;
    await this.#start();
  }

  /**
   * Sets the socket up; if the store fails meanwhile (restarting, shutting down), the client is
   * told to come back (1013) instead of the error escaping as an unhandled rejection.
   */
  async #start(): Promise<void> {
    try {
      await this.#setUp();
    } catch (error) {
      this.#deps.hub.remove(this);
      if (!this.#gone && !isStoreUnavailable(error)) {
        console.error("WebSocket set-up failed:", error);
      }
      this.#send({ type: "error", code: "unavailable", message: UNAVAILABLE_MESSAGE });
      this.close(WS_CLOSE_TRY_AGAIN, "try again later");
    }
  }

  /** Subscribes first (events wait), then reads the state for `ready`: nothing falls between. */
  async #setUp(): Promise<void> {
    this.#starting = true;
    const { hub, chat } = this.#deps;
    const user = this.#auth!.user;
    const serverIds = await chat.serverIdsOf(user);
    // The peer may have gone while we read: registering it now would leak it in the hub.
    if (this.#gone) return;
    hub.add(this, serverIds);
    const servers = await chat.readyState(user);
    if (this.#gone) return hub.remove(this);
    const channels = servers.flatMap((s) => s.channels);
    hub.trackChannels(
      channels.map((c) => ({ channelId: c.id, serverId: c.serverId, lastSeq: c.lastSeq })),
    );
    // What `ready` counts as seen, per channel: needed only until the queue below is flushed.
    const readySeqs = new Map(channels.map((channel) => [channel.id, channel.lastSeq]));
    this.#send({ type: "ready", user: toPublicUser(user), servers });
    const early = this.#early.splice(0);
    // Channels an early `resume` names hold their live events until the replay is done.
    for (const frame of early) {
      if (frame.type !== "resume") continue;
      for (const channelId of Object.keys(frame.channels)) {
        this.#holdForReplay(channelId);
      }
    }
    this.#ready = true;
    this.#starting = false;
    if (!early.some((frame) => frame.type === "resume")) {
      // A client that resumes after `ready` (as API.md allows) must not see live messages
      // before its replay: they wait a moment for a `resume`, then go out anyway.
      this.#awaitingResume = [];
      this.#graceTimer = setTimeout(() => this.#endResumeGrace(), RESUME_GRACE_MS);
    }
    for (const pending of this.#beforeReady.splice(0)) {
      const resumed = pending.order && this.#resuming?.has(pending.order.channelId);
      if (
        !resumed && pending.order &&
        pending.order.seq <= (readySeqs.get(pending.order.channelId) ?? 0)
      ) continue;
      this.deliver(pending.text, pending.order);
    }
    for (const frame of early) await this.#dispatch(frame);
  }

  /** Live messages held after `ready` in case a `resume` follows: delivered now. */
  #endResumeGrace(resumed: string[] = []): void {
    clearTimeout(this.#graceTimer);
    const held = this.#awaitingResume;
    this.#awaitingResume = null;
    for (const channelId of resumed) this.#holdForReplay(channelId);
    for (const pending of held ?? []) this.deliver(pending.text, pending.order);
  }

  async #resume(channels: Record<string, number>): Promise<void> {
    // Channels being resumed hold their live events until their replay is done.
    if (this.#awaitingResume) this.#endResumeGrace(Object.keys(channels));
    const user = this.#auth!.user;
    for (const [channelId, lastSeen] of Object.entries(channels)) {
      try {
        await this.#deps.chat.memberChannel(user, channelId);
      } catch (error) {
        if (error instanceof HttpError) {
          this.#fail({ code: error.code, message: `${error.message} (${channelId})` });
        }
        this.#release(channelId);
        continue;
      }
      await this.#replay(channelId, lastSeen);
    }
  }

  async #replay(channelId: string, lastSeen: number): Promise<void> {
    this.#holdForReplay(channelId);
    try {
      const upto = this.#firstLive?.get(channelId);
      let cursor = lastSeen;
      let replayed = 0;
      while (replayed < RESUME_MAX_MESSAGES) {
        const page = await this.#deps.chat.messagesAfter(channelId, cursor, upto, MESSAGE_PAGE_MAX);
        if (page.length === 0) break;
        for (const message of page) {
          this.#write(JSON.stringify({ type: "message", message }));
          cursor = message.seq;
        }
        replayed += page.length;
        if (page.length < MESSAGE_PAGE_MAX) break;
      }
      const sent = this.#sent ??= new Map();
      sent.set(channelId, Math.max(sent.get(channelId) ?? 0, cursor));
    } finally {
      this.#release(channelId);
    }
  }

  /** Live events of the channel wait until its replay is done. */
  #holdForReplay(channelId: string): void {
    const resuming = this.#resuming ??= new Map();
    if (!resuming.has(channelId)) resuming.set(channelId, []);
  }

  /** Ends a channel's hold: live events that waited go out, minus what the replay sent. */
  #release(channelId: string): void {
    const held = this.#resuming?.get(channelId) ?? [];
    this.#resuming?.delete(channelId);
    for (const pending of held) this.deliver(pending.text, pending.order);
  }

  /** From the hub: an event for this socket, already serialised. */
  deliver(text: string, order?: { channelId: string; seq: number }): void {
    if (!this.#ready) {
      this.#beforeReady.push({ text, order });
      return;
    }
    if (order && this.#awaitingResume) {
      this.#awaitingResume.push({ text, order });
      return;
    }
    if (order) {
      const held = this.#resuming?.get(order.channelId);
      if (held) {
        held.push({ text, order });
        return;
      }
      const sent = this.#sent ??= new Map();
      if (order.seq <= (sent.get(order.channelId) ?? 0)) return;
      sent.set(order.channelId, order.seq);
      const firstLive = this.#firstLive ??= new Map();
      if (!firstLive.has(order.channelId)) firstLive.set(order.channelId, order.seq);
    }
    this.#write(text);
  }

  #send(event: ServerEvent): void {
    this.#write(JSON.stringify(event));
  }

  #write(text: string): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (this.#bufferedBound > WS_MAX_BUFFERED_BYTES) {
      this.#bufferedBound = socket.bufferedAmount;
      if (this.#bufferedBound > WS_MAX_BUFFERED_BYTES) {
        // A reader this slow would make us hold ever more memory for it; it can reconnect and
        // resume.
        return this.close(WS_CLOSE_SLOW_CONSUMER, "too slow: send buffer full");
      }
    }
    socket.send(text);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.#bufferedBound += text.length * 3;
  }

  /** Answers a bad frame with an error event; too many in a row close the socket (1008). */
  #fail(error: { code: string; message: string; nonce?: string }): void {
    this.#send({ type: "error", ...error });
    const now = (this.#deps.now ?? Date.now)();
    if (now - this.#errorWindowStart >= WS_ERROR_WINDOW_MS) {
      this.#errorWindowStart = now;
      this.#errorCount = 0;
    }
    if (++this.#errorCount >= WS_MAX_ERRORS) this.close(1008, "too many bad frames");
  }
}
