/**
 * One WebSocket connection: authentication, frame parsing, the client commands of API.md, and
 * writing this socket's events (which ones may go when is the delivery gate's business, see
 * delivery_gate.ts).
 *
 * The connection is a state machine; every change goes through `#moveTo`:
 *
 *   connecting ──open()──▶ awaiting_auth ──auth frame──▶ starting ──`ready` sent──▶ open
 *        └─────────(cookie session)────────────────────────▲
 *   any state ──close()──▶ closing ──closed()──▶ closed      (and any state ──closed()──▶ closed)
 *
 * In `starting` (the token being checked, then the state for `ready` read) frames wait (at most
 * SOCKET_EARLY_FRAMES_MAX), so a reconnecting client's `resume` is served before any live event.
 */
import type { AccountService, Authenticated } from "../accounts/account_service.ts";
import type { UserRecord } from "../../db/store.ts";
import { HttpError, RateLimited } from "../errors.ts";
import { retry } from "../../db/retry.ts";
import { isStoreUnavailable, UNAVAILABLE_MESSAGE } from "../../db/unavailable.ts";
import {
  MESSAGE_PAGE_MAX,
  RESUME_GRACE_MS,
  RESUME_MAX_MESSAGES,
  RESUME_RETRY_MS,
  RESUME_STORE_ATTEMPTS,
  SOCKET_EARLY_FRAMES_MAX,
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
import { DeliveryGate } from "./delivery_gate.ts";
import type { Order } from "./delivery_gate.ts";
import { parseClientFrame } from "./frames.ts";
import type { Hub } from "./hub.ts";
import type { ClientFrame, ServerEvent } from "./protocol.ts";
import type { SocketChat } from "./socket_chat.ts";
import type { Subscriber } from "./subscriber.ts";

export interface SocketSessionDeps {
  hub: Hub;
  chat: SocketChat;
  accounts: AccountService;
  now?: () => number;
}

/** Where the connection stands, with what only that state needs. */
type SocketState =
  | { name: "connecting" }
  | { name: "awaiting_auth"; authTimer: ReturnType<typeof setTimeout> }
  | { name: "starting"; early: ClientFrame[] }
  | { name: "open"; graceTimer?: ReturnType<typeof setTimeout> }
  | { name: "closing"; code: number; reason: string }
  | { name: "closed" };

type StateName = SocketState["name"];

/** The transitions the machine allows; any other is refused (see `#moveTo`). */
const NEXT: Record<StateName, readonly StateName[]> = {
  connecting: ["awaiting_auth", "starting", "closing", "closed"],
  awaiting_auth: ["starting", "closing", "closed"],
  starting: ["open", "closing", "closed"],
  open: ["closing", "closed"],
  closing: ["closed"],
  closed: [],
};

/** What an error frame may carry besides its code and message. */
interface ErrorContext {
  nonce?: string;
  /** The channel a `resume` could not replay (the event's `channelId`, and in the message). */
  channelId?: string;
}

/** What the owner of a session hears of it. */
export interface SocketSessionHooks {
  /** Runs once the socket has closed (either side). */
  onFinished?: () => void;
  /** Runs when an `auth` frame has authenticated the socket. */
  onAuthenticated?: () => void;
}

let nextSocketId = 1;
const utf8 = new TextEncoder();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SocketSession implements Subscriber {
  readonly id = nextSocketId++;
  #deps: SocketSessionDeps;
  #socket?: WebSocket;
  #auth: Authenticated | null;
  #state: SocketState = { name: "connecting" };
  #gate = new DeliveryGate();
  #onFinished?: () => void;
  #onAuthenticated?: () => void;
  /** Those waiting for `closed` (made only when asked). */
  #waiters?: (() => void)[];
  #lastTyping?: Map<string, number>;
  /** Bad frames in the current window (two numbers, not a limiter object: sockets are many). */
  #errorCount = 0;
  #errorWindowStart = 0;
  /** Sends enter the store's queue one after another: stored in the order the socket sent them. */
  #sends?: Promise<void>;
  /** Resumes run one after another, so a channel is never replayed twice at once. */
  #resumes?: Promise<void>;
  /**
   * At least the socket's send buffer: its `bufferedAmount` when last read plus all sent since.
   * Reading `bufferedAmount` calls into the runtime (an eighth of the cost of a delivery in a
   * fan-out profile); the bound says when it can be over the limit, and only then is it read.
   */
  #bufferedBound = 0;

  constructor(
    deps: SocketSessionDeps,
    auth: Authenticated | null,
    hooks: SocketSessionHooks = {},
  ) {
    this.#deps = deps;
    this.#auth = auth;
    this.#onFinished = hooks.onFinished;
    this.#onAuthenticated = hooks.onAuthenticated;
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
    const state = this.#state;
    // Closed before the socket was even open (a shutdown): it closes now, with that reason.
    if (state.name === "closing") return socket.close(state.code, state.reason);
    if (this.#auth) {
      if (this.#moveTo({ name: "starting", early: [] })) void this.#start();
      return;
    }
    this.#moveTo({
      name: "awaiting_auth",
      authTimer: setTimeout(
        () => this.close(WS_CLOSE_UNAUTHENTICATED, "authentication timeout"),
        WS_AUTH_TIMEOUT_MS,
      ),
    });
  }

  /** Resolves when the socket has closed (either side). */
  finished(): Promise<void> {
    if (this.#state.name === "closed") return Promise.resolve();
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  /** The socket closed (either side). */
  closed(): void {
    if (!this.#moveTo({ name: "closed" })) return;
    this.#deps.hub.remove(this);
    for (const resolve of this.#waiters ?? []) resolve();
    this.#onFinished?.();
  }

  close(code: number, reason: string): void {
    if (!this.#moveTo({ name: "closing", code, reason })) return;
    // Out of the hub at once: a peer that never answers the close handshake (it stopped
    // reading) must not be delivered to, or counted online, until the socket finally dies.
    this.#deps.hub.remove(this);
    if (this.#socket && this.#socket.readyState <= WebSocket.OPEN) this.#socket.close(code, reason);
  }

  /**
   * The one place the state changes: refuses a transition the machine does not allow (false;
   * e.g. `open` once closing) and stops the timers of the state left.
   */
  #moveTo(next: SocketState): boolean {
    const current = this.#state;
    if (!NEXT[current.name].includes(next.name)) return false;
    if (current.name === "awaiting_auth") clearTimeout(current.authTimer);
    if (current.name === "open") clearTimeout(current.graceTimer);
    this.#state = next;
    return true;
  }

  /** Closing or closed: nothing more is read from the client or registered for it. */
  get #leaving(): boolean {
    return this.#state.name === "closing" || this.#state.name === "closed";
  }

  /** Handles one incoming frame. */
  async receive(data: unknown): Promise<void> {
    // A socket on its way out answers nothing (no reply could reach the client anyway).
    if (this.#leaving) return;
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
    if (this.#state.name === "starting" && parsed.frame.type !== "ping") {
      // A reconnecting client sends `resume` at once; it is served before any live event.
      const { early } = this.#state;
      if (early.length >= SOCKET_EARLY_FRAMES_MAX) {
        return this.close(1008, "too many frames before ready");
      }
      early.push(parsed.frame);
      return;
    }
    await this.#dispatch(parsed.frame);
  }

  /** Runs a frame; sends are queued one after another, and so are resumes; the rest run at once. */
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
    if (frame.type === "resume") {
      const turn = this.#resumes;
      const mine = (async () => {
        if (turn) await turn;
        await this.#run(frame);
      })();
      this.#resumes = mine;
      return await mine;
    }
    await this.#run(frame);
  }

  /** Handles a frame, turning failures into error events. */
  async #run(frame: ClientFrame, queued?: () => void): Promise<void> {
    try {
      await this.#handle(frame, queued);
    } catch (error) {
      this.#answer(error, { nonce: frame.type === "send" ? frame.nonce : undefined });
    }
  }

  /**
   * The client's error frame for a failure: a store outage is not its fault (an error it can
   * retry on, not counted against it), a domain error is its own, anything else is our bug.
   */
  #answer(error: unknown, { nonce, channelId }: ErrorContext): void {
    const about = channelId === undefined ? "" : ` (${channelId})`;
    if (isStoreUnavailable(error)) {
      return this.#send({
        type: "error",
        code: "unavailable",
        message: `${UNAVAILABLE_MESSAGE}${about}`,
        nonce,
        channelId,
      });
    }
    if (error instanceof RateLimited) {
      // A bursty client is not a misbehaving one: counting these closed a socket with 48 stored
      // messages never acknowledged (API.md: rate-limited sends never count toward a close).
      return this.#send({
        type: "error",
        code: error.code,
        message: `${error.message}${about}`,
        nonce,
        channelId,
      });
    }
    if (error instanceof HttpError) {
      return this.#fail({
        code: error.code,
        message: `${error.message}${about}`,
        nonce,
        channelId,
      });
    }
    console.error("WebSocket frame failed:", error);
    this.#fail({
      code: "internal_error",
      message: `Something went wrong on our side.${about}`,
      channelId,
    });
  }

  async #handle(frame: ClientFrame, queued?: () => void): Promise<void> {
    if (frame.type === "ping") return this.#send({ type: "pong" });
    // Before `ready` it waits with the early frames; once open, the hub records it.
    if (frame.type === "visibility") {
      if (this.#state.name === "open") this.#deps.hub.setPageVisible(this, frame.visible);
      return;
    }
    if (frame.type === "auth") return await this.#authenticate(frame.token);
    const auth = this.#auth;
    if (!auth || this.#state.name !== "open") {
      return this.#fail({ code: "unauthorized", message: "Authenticate first." });
    }
    switch (frame.type) {
      case "send": {
        const { message } = await this.#deps.chat.sendMessage(
          auth.user,
          frame.channelId,
          {
            content: frame.content,
            nonce: frame.nonce,
            replyTo: frame.replyTo,
            attachments: frame.attachments,
          },
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
        return await this.#resume(frame.channels, frame.since);
    }
  }

  async #authenticate(token: string): Promise<void> {
    if (this.#auth || !this.#moveTo({ name: "starting", early: [] })) {
      return this.#fail({
        code: "already_authenticated",
        message: "This socket is already authenticated.",
      });
    }
    let auth: Authenticated | null;
    try {
      auth = await this.#deps.accounts.authenticate(token);
    } catch (error) {
      // A refusal (a suspended account) is the client's answer, not an outage to retry.
      if (error instanceof HttpError) {
        this.#send({ type: "error", code: error.code, message: error.message });
        return this.close(WS_CLOSE_UNAUTHENTICATED, error.code);
      }
      return this.#startFailed(error);
    }
    if (this.#leaving) return;
    if (!auth) {
      this.#send({ type: "error", code: "unauthorized", message: "Invalid or expired token." });
      return this.close(WS_CLOSE_UNAUTHENTICATED, "invalid token");
    }
    this.#auth = auth;
    this.#onAuthenticated?.();
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
      this.#startFailed(error);
    }
  }

  /** The socket could not start (token check or set-up failed): the client is to come back. */
  #startFailed(error: unknown): void {
    this.#deps.hub.remove(this);
    if (this.#leaving) return;
    if (!isStoreUnavailable(error)) console.error("WebSocket set-up failed:", error);
    this.#send({ type: "error", code: "unavailable", message: UNAVAILABLE_MESSAGE });
    this.close(WS_CLOSE_TRY_AGAIN, "try again later");
  }

  /**
   * Subscribes first (events wait), then reads the state for `ready`: nothing falls between.
   * `ready` lists only the channels the user may view (the chat service filters by the same
   * snapshots the hub delivers by).
   */
  async #setUp(): Promise<void> {
    const { hub, chat } = this.#deps;
    const user = this.#auth!.user;
    const [serverIds, dmIds] = await Promise.all([
      chat.serverIdsOf(user),
      chat.dmIdsOf?.(user) ?? [],
    ]);
    // A DM is its own place (lib/dms/dm_access.ts): subscribed to like a server.
    const places = [...serverIds, ...dmIds];
    // Its channels' events are filtered by the servers' permission snapshots: loaded first.
    await hub.prepare(places, this);
    // The peer may have gone while we read: registering it now would leak it in the hub.
    if (this.#leaving) return;
    hub.add(this, places);
    const [servers, dms] = await Promise.all([
      chat.readyState(user, serverIds),
      chat.readyDms?.(user),
    ]);
    const state = this.#state;
    if (state.name !== "starting") return hub.remove(this);
    const channels = [
      ...servers.flatMap((s) => s.channels),
      ...(dms ?? []).map((dm) => ({ ...dm, serverId: dm.id })),
    ];
    hub.trackChannels(
      channels.map((c) => ({ channelId: c.id, serverId: c.serverId, lastSeq: c.lastSeq })),
    );
    this.#send({
      type: "ready",
      user: toPublicUser(user),
      servers,
      ...(dms ? { dms } : {}),
      serverTime: new Date((this.#deps.now ?? Date.now)()).toISOString(),
      // Presence now, after `add`: later changes follow as events (held until `ready` is out).
      online: hub.onlineIn(serverIds),
    });
    const early = state.early;
    const open: Extract<SocketState, { name: "open" }> = { name: "open" };
    this.#moveTo(open);
    // Channels an early `resume` names hold their live events until their replay is done.
    const resumes = early.filter((frame) => frame.type === "resume");
    const resumed = resumes.length > 0
      ? resumes.flatMap((frame) => Object.keys(frame.channels))
      : undefined;
    const readySeqs = new Map(channels.map((channel) => [channel.id, channel.lastSeq]));
    this.#writeAll(this.#gate.ready(readySeqs, resumed));
    if (!resumed) {
      // A client that resumes after `ready` (as API.md allows) must not see live messages
      // before its replay: they wait a moment for a `resume`, then go out anyway.
      open.graceTimer = setTimeout(() => this.#writeAll(this.#gate.endGrace()), RESUME_GRACE_MS);
    }
    // All dispatched at once, in order: each takes its place in the `#sends` / `#resumes` chain
    // synchronously, so a frame arriving now queues behind them. Awaiting each in turn let a
    // later send overtake a queued one while the queued one before it was committing.
    await Promise.all(early.map((frame) => this.#dispatch(frame)));
  }

  /**
   * Replays each channel above what the client saw. A store outage is retried a little, then
   * reported with the channel named; the channel's live events go out either way, so the client
   * has everything after the hole and may resume again from before it.
   */
  async #resume(channels: Record<string, number>, since?: string): Promise<void> {
    // Channels being resumed hold their live events until their replay is done.
    const state = this.#state;
    if (state.name === "open") clearTimeout(state.graceTimer);
    this.#writeAll(this.#gate.endGrace(Object.keys(channels)));
    const user = this.#auth!.user;
    for (const [channelId, lastSeen] of Object.entries(channels)) {
      this.#gate.holdForReplay(channelId);
      let replayed = false;
      try {
        await this.#retrying(() => this.#deps.chat.memberChannel(user, channelId));
        await this.#replay(user, channelId, lastSeen);
        replayed = true;
      } catch (error) {
        this.#resumeRefused(error, channelId);
      } finally {
        this.#writeAll(this.#gate.release(channelId));
      }
      if (replayed && since !== undefined) await this.#converge(user, channelId, new Date(since));
    }
  }

  /**
   * A channel of a resume that failed. A channel the user may view but not read the history of
   * (`403`) is the client's honest question, not misbehaviour: answered without counting toward
   * a close (a client resumes every channel it shows).
   */
  #resumeRefused(error: unknown, channelId: string): void {
    if (error instanceof HttpError && error.status === 403) {
      return this.#send({
        type: "error",
        code: error.code,
        message: `${error.message} (${channelId})`,
        channelId,
      });
    }
    this.#answer(error, { channelId });
  }

  /** Writes the channel's stored messages above `lastSeen`, below what live delivery covers. */
  async #replay(user: UserRecord, channelId: string, lastSeen: number): Promise<void> {
    const upto = this.#gate.replayBound(channelId);
    let cursor = lastSeen;
    let replayed = 0;
    while (replayed < RESUME_MAX_MESSAGES && !this.#leaving) {
      const after = cursor;
      const page = await this.#retrying(() =>
        this.#deps.chat.replayPage(user, channelId, after, upto, MESSAGE_PAGE_MAX)
      );
      for (const message of page) this.#send({ type: "message", message });
      if (page.length === 0) break;
      cursor = page[page.length - 1].seq;
      this.#gate.replayed(channelId, cursor);
      replayed += page.length;
      if (page.length < MESSAGE_PAGE_MAX) break;
    }
  }

  /**
   * After the replay, while the channel's live events still wait: the current state of every
   * message changed since the client was last in sync (edits, deletions, reactions, pins), so
   * its view of the channel equals the server's. A change that also arrives live is harmless
   * (each event states the message's whole state, or its deletion).
   */
  async #converge(user: UserRecord, channelId: string, since: Date): Promise<void> {
    const events = await this.#retrying(() => this.#deps.chat.changesSince(user, channelId, since));
    for (const event of events) this.#send(event);
  }

  /**
   * A store read of a resume, tried again through a short outage while the socket is here. The
   * pause grows linearly from RESUME_RETRY_MS: a database coming back takes a while, unlike the
   * lost races `retry`'s own (millisecond) back-off is made for.
   */
  #retrying<T>(read: () => Promise<T>): Promise<T> {
    return retry(async (index) => {
      if (index > 0) await pause(RESUME_RETRY_MS * index);
      return await read();
    }, {
      attempts: RESUME_STORE_ATTEMPTS,
      isRetryable: (error) => isStoreUnavailable(error) && !this.#leaving,
      maxBackOffMs: 0,
      // Never used: a try either returns or throws.
      exhausted: () => new Error("resume read retried without an error"),
    });
  }

  /** From the hub: an event for this socket, already serialised. */
  deliver(text: string, order?: Order): void {
    if (this.#gate.admit(text, order)) this.#write(text);
  }

  #writeAll(texts: string[]): void {
    for (const text of texts) this.#write(text);
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
  #fail(error: { code: string; message: string; nonce?: string; channelId?: string }): void {
    this.#send({ type: "error", ...error });
    const now = (this.#deps.now ?? Date.now)();
    if (now - this.#errorWindowStart >= WS_ERROR_WINDOW_MS) {
      this.#errorWindowStart = now;
      this.#errorCount = 0;
    }
    if (++this.#errorCount >= WS_MAX_ERRORS) this.close(1008, "too many bad frames");
  }
}
