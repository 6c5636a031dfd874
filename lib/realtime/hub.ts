/**
 * The in-process fan-out: which sockets belong to which user and server, and delivery of bus
 * envelopes to them.
 *
 * - Each event is serialised once per envelope, then handed to each target socket once (a
 *   socket in several targeted servers still gets it once).
 * - `message` events are delivered in per-channel `seq` order (channel_order.ts).
 * - Presence is counted over all of a user's sockets, here and (through the bus) elsewhere.
 * - Permissions: a channel's events go only to sockets whose user may view it (the snapshot's
 *   cached `canView`, no allocation per socket). Every access event (roles, members, channels,
 *   overwrites, owner) is applied to this instance's AccessBook before delivery, and each local
 *   user is told which channels appeared or went for them (visibility.ts); `channel_created`
 *   and `channel_deleted` envelopes themselves are never forwarded as they are.
 * - A server's snapshot is loaded before a socket subscribes to it: at socket start
 *   (`prepare`), and on `server_joined`, where the server's envelopes wait for the load.
 * - On a bus that routes by target (Redis, NATS) the hub follows each server, user and session
 *   it has a socket for (follows.ts), from `prepare` on: nothing falls between `ready` and live.
 * - Every instance beats (instance_heartbeats.ts); one that goes silent takes its users'
 *   presence with it: they go offline here unless they are still online somewhere. Each beat
 *   lists the instance's online users, so `isOnline` holds for users on servers this instance
 *   follows nothing of (a page rendered here), and for those announced before it started or
 *   while it was cut off (another instance back after being taken for dead).
 */
import {
  BUS_FOLLOW_LINGER_MS,
  BUS_FOLLOW_WAIT_MS,
  GAP_RETRY_MS,
  INSTANCE_EXPIRY_MS,
  INSTANCE_HEARTBEAT_MS,
  INSTANCE_HEARTBEAT_USERS_MAX,
  READY_ONLINE_MAX,
  WS_CLOSE_SESSION_ENDED,
} from "../limits.ts";
import type { AccessBook } from "../permissions/access_book.ts";
import { isAccessEvent, serverOfAccessEvent } from "../permissions/access_book.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { Bus } from "./bus.ts";
import { serverKey, sessionKey, userKey } from "./bus_frames.ts";
import { ChannelOrders } from "./channel_order.ts";
import type { BusEnvelope, Envelope } from "./envelope.ts";
import { Follows } from "./follows.ts";
import { InstanceHeartbeats } from "./instance_heartbeats.ts";
import { RemotePresence } from "./remote_presence.ts";
import { PageVisibility } from "./page_visibility.ts";
import type { ServerEvent, WireMessage } from "./protocol.ts";
import type { Subscriber } from "./subscriber.ts";
import { usersOf, visibilityChanges, visibleOf } from "./visibility.ts";
import type { Visible } from "./visibility.ts";

export interface HubOptions {
  /** This instance's id, stamped on the presence it publishes. */
  instanceId: string;
  /** Reads messages `afterSeq < seq < beforeSeq` of a channel, ascending (gap filling). */
  loadMessages(channelId: string, afterSeq: number, beforeSeq: number): Promise<WireMessage[]>;
  /** This instance's permission snapshots (shared with the services). */
  access: AccessBook;
  /** Heartbeat period and silence after which an instance is dead (tests shorten them). */
  heartbeatMs?: number;
  instanceExpiryMs?: number;
}

/** Loads of a snapshot that envelopes wait for before they go out fail-closed without it. */
const SNAPSHOT_LOAD_ATTEMPTS = 3;

export class Hub {
  #options: HubOptions;
  #publish: (envelope: BusEnvelope) => void = () => {};
  #byServer = new Map<string, Set<Subscriber>>();
  #byUser = new Map<string, Set<Subscriber>>();
  #serversOfSocket = new Map<Subscriber, Set<string>>();
  #bySession = new Map<string, Set<Subscriber>>();
  /** Users online on other instances, forgotten with an instance that goes silent. */
  #remote = new RemotePresence();
  /** Whose pages are hidden, here and elsewhere (notifications: page_visibility.ts). */
  #pages = new PageVisibility();
  #heartbeats: InstanceHeartbeats;
  #follows = new Follows(BUS_FOLLOW_LINGER_MS);
  /** Servers whose snapshot is being loaded for a local socket: their envelopes, in order. */
  #waiting = new Map<string, Envelope[]>();

  #orders: ChannelOrders;

  constructor(options: HubOptions) {
    this.#options = options;
    this.#orders = new ChannelOrders({
      loadMessages: options.loadMessages,
      deliver: (envelope) => this.#deliver(envelope),
      hasTargets: (envelope) => this.#targets(envelope).size > 0,
      hasSockets: (serverId) => (this.#byServer.get(serverId)?.size ?? 0) > 0,
    });
    options.access.onReplace((serverId, before, after) => this.#replaced(serverId, before, after));
    this.#heartbeats = new InstanceHeartbeats({
      instanceId: options.instanceId,
      publish: (envelope) => this.#publish(envelope),
      users: () => this.#onlineHere(),
      hidden: () => this.#pages.hiddenUsers((userId) => this.#byUser.get(userId)?.size ?? 0),
      onExpired: (origin) => this.#instanceGone(origin),
      intervalMs: options.heartbeatMs ?? INSTANCE_HEARTBEAT_MS,
      expiryMs: options.instanceExpiryMs ?? INSTANCE_EXPIRY_MS,
    });
  }

  /** Connects the hub to the bus it publishes presence and heartbeats on, and follows keys on. */
  attach(bus: Bus): void {
    this.#publish = (envelope) => bus.publish(envelope);
    this.#follows.attach(bus);
    this.#heartbeats.start();
  }

  /** The bus keys followed now (bus_frames.ts), on a bus that routes by target. */
  get followedKeys(): string[] {
    return this.#follows.keys;
  }

  /** Sockets currently registered (for metrics and shutdown). */
  get sockets(): Subscriber[] {
    return [...this.#serversOfSocket.keys()];
  }

  /**
   * Loads the permission snapshots of these servers (before a socket is added for them) and,
   * on a bus that routes by target, follows them (and the socket's user and session, when
   * given) before `add`: the state read for `ready` after it misses no event.
   */
  async prepare(
    serverIds: string[],
    socket?: Pick<Subscriber, "userId" | "sessionId">,
  ): Promise<void> {
    const keys = serverIds.map(serverKey);
    if (socket) keys.push(userKey(socket.userId), sessionKey(socket.sessionId));
    const following = this.#follows.hold(keys);
    try {
      await Promise.all([
        ...serverIds.map((serverId) => this.#options.access.load(serverId)),
        boundedWait(following),
      ]);
    } finally {
      // `add` holds them for the socket; until then they linger.
      this.#follows.release(keys);
    }
  }

  /** Registers an authenticated socket for its user's servers (after `prepare`). */
  add(socket: Subscriber, serverIds: string[]): void {
    const wasHidden = this.#allHidden(socket.userId);
    this.#serversOfSocket.set(socket, new Set());
    void this.#follows.hold([userKey(socket.userId), sessionKey(socket.sessionId)]);
    for (const serverId of serverIds) this.#subscribe(socket, serverId);
    const ofSession = this.#bySession.get(socket.sessionId) ?? new Set();
    ofSession.add(socket);
    this.#bySession.set(socket.sessionId, ofSession);
    const sockets = this.#byUser.get(socket.userId) ?? new Set();
    sockets.add(socket);
    this.#byUser.set(socket.userId, sockets);
    if (sockets.size === 1) this.#announcePresence(socket.userId, true, serverIds);
    this.#pageChanged(socket.userId, wasHidden);
  }

  /** Unregisters a socket (closed). */
  remove(socket: Subscriber): void {
    const servers = this.#serversOfSocket.get(socket);
    if (!servers) return;
    const wasHidden = this.#allHidden(socket.userId);
    this.#pages.forget(socket.userId, socket.id);
    this.#serversOfSocket.delete(socket);
    for (const serverId of servers) this.#byServer.get(serverId)?.delete(socket);
    this.#follows.release([
      ...[...servers].map(serverKey),
      userKey(socket.userId),
      sessionKey(socket.sessionId),
    ]);
    const ofSession = this.#bySession.get(socket.sessionId);
    ofSession?.delete(socket);
    if (ofSession?.size === 0) this.#bySession.delete(socket.sessionId);
    const sockets = this.#byUser.get(socket.userId);
    sockets?.delete(socket);
    if (sockets?.size === 0) {
      this.#byUser.delete(socket.userId);
      this.#announcePresence(socket.userId, false, [...servers]);
    }
    this.#pageChanged(socket.userId, wasHidden);
  }

  /**
   * A socket's page was hidden or shown (its `visibility` frame); other instances hear of it
   * when all of the user's sockets here become hidden, or stop being.
   */
  setPageVisible(socket: Subscriber, visible: boolean): void {
    if (!this.#serversOfSocket.has(socket)) return;
    const wasHidden = this.#allHidden(socket.userId);
    this.#pages.set(socket.userId, socket.id, !visible);
    this.#pageChanged(socket.userId, wasHidden);
  }

  /**
   * True if the user has a live page in sight: a socket here or on another instance whose page
   * is not hidden (a raw socket counts as in sight). A notification is pushed only without one.
   */
  isVisible(userId: string): boolean {
    const sockets = this.#byUser.get(userId)?.size ?? 0;
    if (sockets > 0 && !this.#pages.allHidden(userId, sockets)) return true;
    for (const origin of this.#remote.originsOf(userId)) {
      if (!this.#pages.hiddenOn(origin, userId)) return true;
    }
    return false;
  }

  #allHidden(userId: string): boolean {
    return this.#pages.allHidden(userId, this.#byUser.get(userId)?.size ?? 0);
  }

  /** Tells the other instances when the user's sockets here became all hidden, or stopped. */
  #pageChanged(userId: string, wasHidden: boolean): void {
    const hidden = this.#allHidden(userId);
    if (hidden === wasHidden) return;
    this.#publish({
      target: { instances: true },
      event: { type: "page_visibility", userId, hidden },
      origin: this.#options.instanceId,
    });
  }

  /** Starts the per-channel order of channels this instance has not seen yet (from `ready`). */
  trackChannels(channels: { channelId: string; serverId: string; lastSeq: number }[]): void {
    for (const { channelId, serverId, lastSeq } of channels) {
      this.#orders.track(channelId, serverId, lastSeq);
    }
  }

  /**
   * Catches up after the bus may have lost events (its connection dropped): every channel
   * with sockets here is read from the store above what it delivered.
   */
  resync(): void {
    this.#orders.resync();
  }

  /**
   * After the bus reconnected: every snapshot is read again (events may have been lost; each
   * replacement is diffed as it happens, see `#replaced`), then the channels catch up, and
   * our users are announced again (other instances may have taken us for dead meanwhile).
   */
  async resubscribed(): Promise<void> {
    try {
      await this.#options.access.reloadAll();
    } catch (error) {
      console.error("Could not reload the permission snapshots after a bus reconnect:", error);
    }
    this.resync();
    for (const [userId, sockets] of this.#byUser) {
      const servers = new Set<string>();
      for (const socket of sockets) {
        for (const serverId of this.#serversOfSocket.get(socket) ?? []) servers.add(serverId);
      }
      this.#announcePresence(userId, true, [...servers]);
    }
  }

  /**
   * A snapshot was read again: each local user is told what they gained or lost meanwhile; a
   * server they are no longer in, or that is gone, as `server_deleted`.
   */
  #replaced(serverId: string, before: ServerAccess, after: ServerAccess | null): void {
    const sockets = this.#byServer.get(serverId);
    if (!sockets?.size) return;
    const seen = visibleOf(before, usersOf(sockets));
    for (const userId of seen.keys()) {
      if (after?.isMember(userId)) continue;
      seen.delete(userId);
      if (before.isDm) this.#leaveDm(userId, serverId);
      else this.#removeFromServer(userId, serverId);
    }
    if (!after) this.#dropServer(serverId);
    else this.#sendChanges(serverId, visibilityChanges(after, seen));
  }

  /** Stops pending gap timers, heartbeats and lingering follows (shutdown). */
  close(): void {
    this.#orders.close();
    this.#heartbeats.stop();
    this.#follows.close();
  }

  /** True if a socket here is in the server (or about to be: its snapshot is loading). */
  serves(serverId: string): boolean {
    return (this.#byServer.get(serverId)?.size ?? 0) > 0 || this.#waiting.has(serverId);
  }

  /** True if the user has a socket here or on another instance. */
  isOnline(userId: string): boolean {
    return this.#byUser.has(userId) || this.#remote.has(userId);
  }

  /**
   * The members of these servers (per their snapshots, loaded by `prepare`) online here or on
   * another instance, for `ready`; undefined past READY_ONLINE_MAX.
   */
  onlineIn(serverIds: string[]): string[] | undefined {
    const online = new Set<string>();
    for (const serverId of serverIds) {
      for (const userId of this.#options.access.peek(serverId)?.memberIds() ?? []) {
        if (online.has(userId) || !this.isOnline(userId)) continue;
        if (online.size === READY_ONLINE_MAX) return undefined;
        online.add(userId);
      }
    }
    return [...online];
  }

  /** Delivers an envelope from the bus to this instance's sockets. */
  dispatch(envelope: BusEnvelope): void {
    if ("instances" in envelope.target) {
      const { origin, event } = envelope;
      if (origin === undefined || origin === this.#options.instanceId) return;
      this.#heartbeats.saw(origin);
      if (event.type === "heartbeat" && event.users) this.#heardUsers(origin, event.users);
      if (event.type === "heartbeat" && event.hidden) {
        this.#pages.replaceRemote(origin, event.hidden);
      }
      if (event.type === "page_visibility") {
        this.#pages.noteRemote(origin, event.userId, event.hidden);
      }
      return;
    }
    const { event } = envelope as Envelope;
    if (event.type === "presence" && envelope.origin !== undefined) {
      const online = event.status === "online";
      if (!this.#notePresence(envelope as Envelope, event.userId, online)) return;
    }
    this.#route(envelope as Envelope);
  }

  /** A silent instance's users go offline here, if no other instance (nor this) has them. */
  #instanceGone(origin: string): void {
    this.#pages.dropRemote(origin);
    for (const { userId, serverIds } of this.#remote.drop(origin)) {
      this.#presenceChanged(userId, false, serverIds);
    }
  }

  /** Another instance's list of its online users: whoever it changes is told to our sockets. */
  #heardUsers(origin: string, userIds: string[]): void {
    const { online, offline } = this.#remote.replace(origin, userIds);
    for (const userId of online) this.#presenceChanged(userId, true, []);
    for (const { userId, serverIds } of offline) this.#presenceChanged(userId, false, serverIds);
  }

  /**
   * A remote user's status changed without a presence event here: our sockets in their servers
   * hear it (the servers it was announced to, else those here where they are a member).
   */
  #presenceChanged(userId: string, online: boolean, serverIds: string[]): void {
    if (this.#byUser.has(userId)) return;
    const servers = serverIds.length > 0 ? serverIds : this.#localServersOf(userId);
    if (servers.length === 0) return;
    this.#route({
      target: { servers },
      event: { type: "presence", userId, status: online ? "online" : "offline" },
    });
  }

  /** The servers with a socket here that the user is a member of (per their snapshots). */
  #localServersOf(userId: string): string[] {
    const servers: string[] = [];
    for (const [serverId, sockets] of this.#byServer) {
      if (sockets.size > 0 && this.#options.access.peek(serverId)?.isMember(userId)) {
        servers.push(serverId);
      }
    }
    return servers;
  }

  /** The users with a socket here, for the heartbeat; none past the bound (too many to list). */
  #onlineHere(): string[] | undefined {
    if (this.#byUser.size > INSTANCE_HEARTBEAT_USERS_MAX) return undefined;
    return [...this.#byUser.keys()];
  }

  /** Holds the envelope while its server's snapshot loads for a local socket; else runs it. */
  #route(envelope: Envelope): void {
    for (const serverId of serversOf(envelope)) {
      const queue = this.#waiting.get(serverId);
      if (queue) {
        // Counted by the book (a load that raced an event reads again); applied when run.
        this.#options.access.observe(envelope);
        queue.push(envelope);
        return;
      }
      if (this.#needsLoad(envelope, serverId)) {
        this.#options.access.observe(envelope);
        this.#waiting.set(serverId, [envelope]);
        void this.#loadThenRun(serverId);
        return;
      }
    }
    this.#run(envelope);
  }

  /** True if a local socket is (or is about to be) in the server and its snapshot is missing. */
  #needsLoad(envelope: Envelope, serverId: string): boolean {
    const { event, target } = envelope;
    if (!("servers" in target)) {
      // A DM the user joins waits for a snapshot that has them (lib/dms/dm_access.ts).
      if ((event.type === "dm_created" || event.type === "dm_updated") && "user" in target) {
        if (!this.#byUser.has(target.user)) return false;
        const snapshot = this.#options.access.peek(serverId);
        // dm_updated: someone may have left (or been removed), and the leaver's own dm_removed
        // reaches only the instances with the leaver's sockets; a snapshot here re-reads (it
        // is small), or the leaver kept typing and uploading through this instance.
        return !snapshot?.isMember(target.user) || event.type === "dm_updated";
      }
      // A user's server_left/server_deleted only waits behind a load already running.
      return event.type === "server_joined" && "user" in target &&
        this.#byUser.has(target.user) && !this.#options.access.peek(serverId);
    }
    if (event.type === "server_deleted" || this.#options.access.peek(serverId)) return false;
    return (this.#byServer.get(serverId)?.size ?? 0) > 0;
  }

  /** Loads the snapshot (retrying a little), then runs what waited for it, in order. */
  async #loadThenRun(serverId: string): Promise<void> {
    for (let attempt = 1; attempt <= SNAPSHOT_LOAD_ATTEMPTS; attempt++) {
      try {
        // A snapshot already here is behind (a DM that does not have its new member yet).
        const book = this.#options.access;
        await (book.peek(serverId) ? book.reload(serverId) : book.load(serverId));
        break;
      } catch (error) {
        // Without it, channel events go to nobody (fail closed) until a later envelope loads it.
        console.error(`Could not load the permission snapshot of server ${serverId}:`, error);
        await new Promise((resolve) => setTimeout(resolve, GAP_RETRY_MS * attempt));
      }
    }
    const queue = this.#waiting.get(serverId) ?? [];
    this.#waiting.delete(serverId);
    for (const envelope of queue) this.#run(envelope);
  }

  #run(envelope: Envelope): void {
    const { event, target } = envelope;
    if (event.type === "server_joined" && "user" in target) {
      for (const socket of this.#byUser.get(target.user) ?? []) {
        this.#subscribe(socket, event.server.id);
      }
      for (const channel of event.channels) this.#orders.track(channel.id, channel.serverId, 0);
    }
    // A DM is its own place (lib/dms/dm_access.ts): its members' sockets follow it.
    if ((event.type === "dm_created" || event.type === "dm_updated") && "user" in target) {
      for (const socket of this.#byUser.get(target.user) ?? []) {
        this.#subscribe(socket, event.channel.id);
      }
    }
    if ("servers" in target && isAccessEvent(event)) return this.#runAccessEvent(envelope);
    if (envelope.order) {
      this.#orders.dispatch(envelope);
    } else {
      this.#deliver(envelope);
    }
    if ((event.type === "server_left" || event.type === "server_deleted") && "user" in target) {
      for (const socket of this.#byUser.get(target.user) ?? []) {
        this.#unsubscribe(socket, event.serverId);
      }
    }
    if (event.type === "dm_removed" && "user" in target) {
      for (const socket of this.#byUser.get(target.user) ?? []) {
        this.#unsubscribe(socket, event.channelId);
      }
    }
    if ("session" in target) {
      for (const socket of this.#targets(envelope)) {
        socket.close(WS_CLOSE_SESSION_ENDED, "session ended");
      }
    }
  }

  /**
   * An event that may change who sees what: each local user's visible channels are noted, the
   * event is applied to the snapshot, the event goes out, then each user hears what changed.
   */
  #runAccessEvent(envelope: Envelope): void {
    const event = envelope.event;
    const serverId = serverOfAccessEvent(event)!;
    const access = this.#options.access;
    const sockets = this.#byServer.get(serverId);
    const snapshot = access.peek(serverId);
    const users = snapshot && sockets?.size ? usersToDiff(event, sockets) : undefined;
    const before = users ? visibleOf(snapshot!, users) : undefined;
    access.observe(envelope);
    const after = access.peek(serverId);
    switch (event.type) {
      case "channel_created":
        this.#orders.track(event.channel.id, serverId, 0);
        break;
      case "channel_deleted":
        this.#orders.untrack(event.channelId);
        break;
      case "channel_updated":
        if (before && after) this.#deliverToViewers(envelope, event.channel.id, before, after);
        break;
      default:
        this.#deliver(envelope);
    }
    if (before && after) this.#sendChanges(serverId, visibilityChanges(after, before));
    if (event.type === "member_left") {
      for (const socket of this.#byUser.get(event.user.id) ?? []) {
        this.#unsubscribe(socket, serverId);
      }
    }
    if (event.type === "server_deleted") this.#dropServer(serverId);
  }

  /** `channel_updated` goes to those who saw the channel before and still may. */
  #deliverToViewers(
    envelope: Envelope,
    channelId: string,
    before: Visible,
    after: ServerAccess,
  ): void {
    const text = JSON.stringify(envelope.event);
    for (const socket of this.#targets(envelope)) {
      if (!before.get(socket.userId)?.has(channelId)) continue;
      if (after.canView(socket.userId, channelId)) socket.deliver(text);
    }
  }

  /** Sends each user's channel_created/channel_deleted frames to their sockets in the server. */
  #sendChanges(serverId: string, changes: Map<string, string[]>): void {
    for (const [userId, frames] of changes) {
      for (const socket of this.#byUser.get(userId) ?? []) {
        if (!this.#serversOfSocket.get(socket)?.has(serverId)) continue;
        for (const text of frames) socket.deliver(text);
      }
    }
  }

  /** Tells a user's sockets that a server is gone for them, and unsubscribes them from it. */
  #removeFromServer(userId: string, serverId: string): void {
    const text = JSON.stringify({ type: "server_deleted", serverId } satisfies ServerEvent);
    for (const socket of this.#byUser.get(userId) ?? []) {
      if (!this.#serversOfSocket.get(socket)?.has(serverId)) continue;
      socket.deliver(text);
      this.#unsubscribe(socket, serverId);
    }
  }

  /** A user no longer in a DM: their sockets leave it (they heard `dm_removed`). */
  #leaveDm(userId: string, channelId: string): void {
    for (const socket of this.#byUser.get(userId) ?? []) this.#unsubscribe(socket, channelId);
  }

  /** Forgets a deleted server: no socket stays subscribed, its channels' orders go. */
  #dropServer(serverId: string): void {
    for (const socket of this.#byServer.get(serverId) ?? []) {
      this.#serversOfSocket.get(socket)?.delete(serverId);
      this.#follows.release([serverKey(serverId)]);
    }
    this.#byServer.delete(serverId);
    this.#orders.untrackServer(serverId);
    this.#options.access.drop(serverId);
  }

  #targets(envelope: Envelope): Set<Subscriber> {
    const { target } = envelope;
    if ("user" in target) return this.#byUser.get(target.user) ?? new Set();
    if ("session" in target) return this.#bySession.get(target.session) ?? new Set();
    if (target.servers.length === 1) return this.#byServer.get(target.servers[0]) ?? new Set();
    const sockets = new Set<Subscriber>();
    for (const serverId of target.servers) {
      for (const socket of this.#byServer.get(serverId) ?? []) sockets.add(socket);
    }
    return sockets;
  }

  /**
   * The fan-out. A channel's event (its target names the channel, or the event is a message or
   * typing in one) goes only to the sockets whose user may view that channel: a cached bit test
   * per socket. Without the channel's snapshot it goes to nobody (fail closed).
   */
  #deliver(envelope: Envelope): void {
    const targets = this.#targets(envelope);
    if (targets.size === 0) return;
    const channelId = channelOf(envelope);
    const access = channelId === undefined ? undefined : this.#accessOf(envelope, channelId);
    if (channelId !== undefined && !access) return;
    const text = JSON.stringify(envelope.event);
    const { skipSocket, order } = envelope;
    if (!access) {
      for (const socket of targets) {
        if (socket.id !== skipSocket) socket.deliver(text, order);
      }
      return;
    }
    for (const socket of targets) {
      if (socket.id !== skipSocket && access.canView(socket.userId, channelId!)) {
        socket.deliver(text, order);
      }
    }
  }

  /** The snapshot of the server (of the envelope's) that has the channel. */
  #accessOf(envelope: Envelope, channelId: string): ServerAccess | undefined {
    const { target } = envelope;
    if (!("servers" in target)) return undefined;
    const book = this.#options.access;
    if (target.servers.length === 1) return book.peek(target.servers[0]);
    return target.servers.map((id) => book.peek(id)).find((access) => access?.channel(channelId));
  }

  #subscribe(socket: Subscriber, serverId: string): void {
    const sockets = this.#byServer.get(serverId) ?? new Set();
    if (!sockets.has(socket)) void this.#follows.hold([serverKey(serverId)]);
    sockets.add(socket);
    this.#byServer.set(serverId, sockets);
    this.#serversOfSocket.get(socket)?.add(serverId);
  }

  #unsubscribe(socket: Subscriber, serverId: string): void {
    if (this.#byServer.get(serverId)?.delete(socket)) this.#follows.release([serverKey(serverId)]);
    this.#serversOfSocket.get(socket)?.delete(serverId);
  }

  /** Publishes a local presence change; other instances count it as theirs. */
  #announcePresence(userId: string, online: boolean, serverIds: string[]): void {
    if (serverIds.length === 0) return;
    // Another instance may still hold a socket of this user: then nothing changed for anyone.
    if (!online && this.isOnline(userId)) return;
    this.#publish({
      target: { servers: serverIds },
      event: { type: "presence", userId, status: online ? "online" : "offline" },
      origin: this.#options.instanceId,
    });
  }

  /** Records another instance's presence report; true if the user's status changed. */
  #notePresence(envelope: Envelope, userId: string, online: boolean): boolean {
    const origin = envelope.origin!;
    if (origin === this.#options.instanceId) return true;
    this.#heartbeats.saw(origin);
    const before = this.isOnline(userId);
    const servers = "servers" in envelope.target ? envelope.target.servers : [];
    this.#remote.note(origin, userId, online, servers);
    return this.isOnline(userId) !== before;
  }
}

/** Waits for the bus to follow keys, but not for ever: a bus that is down renews them later. */
async function boundedWait(following: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => timer = setTimeout(resolve, BUS_FOLLOW_WAIT_MS));
  await Promise.race([following, bound]);
  clearTimeout(timer);
}

/**
 * Whose visible channels an access event may change among these sockets' users. A joining or
 * leaving member is not diffed: `server_joined` lists their channels, and `server_left` /
 * `server_deleted` takes the server away whole.
 */
function usersToDiff(event: ServerEvent, sockets: Iterable<Subscriber>): Set<string> | undefined {
  switch (event.type) {
    case "member_joined":
    case "member_left":
    case "server_deleted":
      return undefined;
    case "member_updated": {
      const users = usersOf(sockets);
      return users.has(event.member.user.id) ? new Set([event.member.user.id]) : undefined;
    }
    default:
      return usersOf(sockets);
  }
}

/** The servers an envelope is about, for its wait: its targets, or the one a user joins or leaves. */
function serversOf(envelope: Envelope): string[] {
  const { target, event } = envelope;
  if ("servers" in target) return target.servers;
  switch (event.type) {
    case "server_joined":
      return [event.server.id];
    case "server_left":
    case "server_deleted":
      return [event.serverId];
    case "dm_created":
    case "dm_updated":
      return [event.channel.id];
    default:
      return [];
  }
}

/**
 * The channel a server-wide envelope's event belongs to: named by its target, or by the event
 * itself (a message or typing), so a publisher that forgot `channel` still cannot leak one.
 */
function channelOf(envelope: Envelope): string | undefined {
  const { target, event } = envelope;
  if (!("servers" in target)) return undefined;
  if (target.channel !== undefined) return target.channel;
  switch (event.type) {
    case "message":
    case "message_updated":
      return event.message.channelId;
    case "message_deleted":
    case "typing":
      return event.channelId;
    default:
      return undefined;
  }
}
