/**
 * This instance's permission snapshots (ServerAccess), one per server in use: loaded from the
 * store once, then kept current by the events the hub sees (`observe`), so checks never read
 * the store.
 *
 * Races: a load reads five things from the store while events keep arriving. An event for a
 * server being loaded cannot be applied (there is nothing to apply it to yet), and the read
 * may or may not include it; so each observed event bumps the server's generation, and a load
 * that finishes under another generation than it started with reads again.
 */
import type { Store } from "../../db/store.ts";
import type { Envelope } from "../realtime/envelope.ts";
import type { ServerEvent } from "../realtime/protocol.ts";
import { ServerAccess } from "./server_access.ts";
import { dmAccess } from "../dms/dm_access.ts";

/** Reads of one server that raced events before the book settles for the last one. */
const LOAD_ATTEMPTS = 5;

/** The event types that change a snapshot. */
const ACCESS_EVENTS: ReadonlySet<ServerEvent["type"]> = new Set([
  "role_created",
  "role_updated",
  "role_deleted",
  "member_joined",
  "member_updated",
  "member_left",
  "channel_created",
  "channel_updated",
  "channel_deleted",
  "server_updated",
  "server_deleted",
]);

/** Access events whose whole-state payloads may race across instances (see `#settle`). */
const SETTLED_EVENTS: ReadonlySet<ServerEvent["type"]> = new Set([
  "role_created",
  "role_updated",
  "role_deleted",
  "member_updated",
  "channel_created",
  "channel_updated",
  "channel_deleted",
  "server_updated",
]);

/** True if the event may change a permission snapshot (so the hub diffs visibility around it). */
export function isAccessEvent(event: ServerEvent): boolean {
  return ACCESS_EVENTS.has(event.type);
}

/** The server an access event is about (undefined for other events). */
export function serverOfAccessEvent(event: ServerEvent): string | undefined {
  switch (event.type) {
    case "role_created":
    case "role_updated":
      return event.role.serverId;
    case "channel_created":
    case "channel_updated":
      return event.channel.serverId;
    case "server_updated":
      return event.server.id;
    case "role_deleted":
    case "member_joined":
    case "member_updated":
    case "member_left":
    case "channel_deleted":
    case "server_deleted":
      return event.serverId;
    default:
      return undefined;
  }
}

/** Told when a loaded snapshot is replaced by a fresh read (`after` null: the server is gone). */
export type ReplacementListener = (
  serverId: string,
  before: ServerAccess,
  after: ServerAccess | null,
) => void;

export class AccessBook {
  #store: Store;
  #listeners: ReplacementListener[] = [];
  #snapshots = new Map<string, ServerAccess>();
  #loading = new Map<string, Promise<ServerAccess | null>>();
  #closed = false;
  /** Servers whose last read still raced events: read again once it is done. */
  #stale = new Set<string>();
  /** Events observed per server (only counted while something may be reading it). */
  #generations = new Map<string, number>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * The server's snapshot, read from the store the first time; null if there is no such server.
   * Concurrent callers share one read.
   */
  load(serverId: string): Promise<ServerAccess | null> {
    const snapshot = this.#snapshots.get(serverId);
    if (snapshot) return Promise.resolve(snapshot);
    return this.#loadOnce(serverId);
  }

  /**
   * Reads the server's snapshot again (when the store shows something no event has brought yet,
   * e.g. a channel just created on another instance). The old one answers until the new one is
   * read, and the replacement is reported (`onReplace`), so sockets hear what changed; prefer
   * this to `drop` + `load`, after which nobody could tell what changed.
   */
  reload(serverId: string): Promise<ServerAccess | null> {
    return this.#loadOnce(serverId);
  }

  /** The snapshot if it is loaded (the hot path: `peek(id) ?? await load(id)`). */
  peek(serverId: string): ServerAccess | undefined {
    return this.#snapshots.get(serverId);
  }

  /**
   * Applies an access event of a server-wide envelope to its server's snapshot; returns the
   * server and whose access may have changed, or null when nothing loaded changed. Events sent
   * to one user (a kicked member's `server_deleted`) say nothing about the server.
   */
  observe(envelope: Envelope): { serverId: string; affected: "all" | string } | null {
    if (!("servers" in envelope.target) || !isAccessEvent(envelope.event)) return null;
    const serverId = serverOfAccessEvent(envelope.event);
    if (serverId === undefined) return null;
    if (this.#loading.has(serverId)) {
      this.#generations.set(serverId, (this.#generations.get(serverId) ?? 0) + 1);
    }
    const snapshot = this.#snapshots.get(serverId);
    if (!snapshot) return null;
    const affected = snapshot.apply(envelope.event);
    if (envelope.event.type === "server_deleted") this.drop(serverId);
    else if (SETTLED_EVENTS.has(envelope.event.type)) this.#settle(serverId);
    return affected === null ? null : { serverId, affected };
  }

  /**
   * Reads the server again after a change event was applied. Events carry whole new states
   * (a channel with its overwrites, a member with its roles), and each instance applies its own
   * at once but others' when the bus brings them: two changes made at the same moment on two
   * instances are applied in different orders, and an older state could win for good. The
   * store has the committed truth: reading it after the event converges every instance (a load
   * in flight reads again, see `#read`). Joins and leaves, the frequent ones, carry one member
   * each and need no read.
   */
  #settle(serverId: string): void {
    if (this.#closed) return;
    this.reload(serverId).catch((error) => {
      console.error(`Could not re-read the permissions of server ${serverId}:`, error);
    });
  }

  /** Resolves once no read is under way (the re-reads that follow changes included). */
  async settled(): Promise<void> {
    while (this.#loading.size > 0) await Promise.allSettled([...this.#loading.values()]);
  }

  /** Stops re-reading after changes and waits for the reads under way (before the store closes). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.settled();
  }

  /**
   * Forgets the snapshots of servers that `keep` does not name (those with no socket here: one
   * answering HTTP alone is read again when next needed), so memory follows the servers in use
   * rather than every server this instance has seen; returns how many went.
   */
  sweep(keep: (serverId: string) => boolean): number {
    let dropped = 0;
    for (const serverId of [...this.#snapshots.keys()]) {
      if (keep(serverId) || this.#loading.has(serverId)) continue;
      this.#snapshots.delete(serverId);
      dropped++;
    }
    return dropped;
  }

  /** Forgets a server's snapshot (deleted; the next `load` reads the store again). */
  drop(serverId: string): void {
    this.#snapshots.delete(serverId);
  }

  /**
   * Calls `listener` each time `reload`/`reloadAll` replaces a snapshot, at that moment: the old one has
   * every event observed until then, the new one was read after them, so what differs between
   * the two is exactly what the lost events changed.
   */
  onReplace(listener: ReplacementListener): void {
    this.#listeners.push(listener);
  }

  /**
   * After the bus may have lost events: reads every snapshot again. Each old one stays in use
   * until its replacement is read; a server that is gone is dropped.
   */
  async reloadAll(): Promise<void> {
    await Promise.all([...this.#snapshots.keys()].map((serverId) => this.reload(serverId)));
  }

  #loadOnce(serverId: string): Promise<ServerAccess | null> {
    let loading = this.#loading.get(serverId);
    if (!loading) {
      loading = this.#read(serverId).finally(() => {
        this.#loading.delete(serverId);
        this.#generations.delete(serverId);
        if (this.#stale.delete(serverId)) this.#settle(serverId);
      });
      this.#loading.set(serverId, loading);
    }
    return loading;
  }

  async #read(serverId: string): Promise<ServerAccess | null> {
    for (let attempt = 1;; attempt++) {
      const generation = this.#generations.get(serverId) ?? 0;
      const snapshot = await this.#readOnce(serverId);
      const raced = (this.#generations.get(serverId) ?? 0) !== generation;
      if (raced && attempt < LOAD_ATTEMPTS) continue;
      if (raced) {
        // Still racing: use this read, and read once more after it (events keep coming).
        console.warn(`Permission snapshot of ${serverId} kept racing events; reading again`);
        this.#stale.add(serverId);
      }
      const before = this.#snapshots.get(serverId);
      if (snapshot) this.#snapshots.set(serverId, snapshot);
      else this.#snapshots.delete(serverId);
      if (before) { for (const listener of this.#listeners) listener(serverId, before, snapshot); }
      return snapshot;
    }
  }

  async #readOnce(serverId: string): Promise<ServerAccess | null> {
    const store = this.#store;
    const [server, roles, channels, overwrites, members] = await Promise.all([
      store.findServer(serverId),
      store.listRoles(serverId),
      store.listChannels(serverId),
      store.listOverwrites(serverId),
      store.listMembers(serverId),
    ]);
    if (!server) {
      // No server of that id: a DM channel is its own place (lib/dms/dm_access.ts).
      const dm = await store.findDmChannel(serverId);
      return dm ? dmAccess(dm) : null;
    }
    return ServerAccess.from({ server, roles, channels, overwrites, members });
  }
}
