/**
 * The access rules every chat service shares, over the server's permission snapshot
 * (lib/permissions/server_access.ts):
 * - a non-member, and a member asking for a channel they cannot view, gets NotFound, never
 *   another server's data (nor a hint that it exists);
 * - a member without a permission gets `403 missing_permissions` naming it;
 * - a timed-out member gets `403 timed_out` for what a time-out forbids.
 *
 * The snapshot lives in memory and follows the bus's events, so the send path reads nothing
 * before its append (which checks membership again in the same commit). Paths that are not hot
 * pass `confirm` and also read membership from the store, as they always did: a member who was
 * removed on another instance a moment ago is refused even before that event arrives here.
 */
import type { ChannelRecord, ServerRecord, Store, UserRecord } from "../../db/store.ts";
import { Forbidden, NotFound } from "../errors.ts";
import { ID_INPUT_MAX } from "../limits.ts";
import type { AccessBook } from "../permissions/access_book.ts";
import { has, type Permission } from "../permissions/permission_names.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { ChannelPlaces } from "./channel_places.ts";

/** What the helpers read: the store and the snapshots. */
export interface AccessDeps {
  store: Store;
  access: AccessBook;
}

export interface AccessOptions {
  /** Also read membership from the store (every path but sending and typing). */
  confirm?: boolean;
  /** What NotFound names ("server", "channel", "message"). */
  thing?: string;
  /**
   * Accept a DM channel's snapshot (lib/dms/dm_access.ts): only channel paths do; a DM is no
   * server, so every server route answers 404 for its id.
   */
  dm?: boolean;
}

function notFound(thing: string): NotFound {
  return new NotFound("not_found", `No such ${thing}.`);
}

/**
 * True if `id` could be one of ours. No real id is longer, and a much longer one is not even a
 * valid Deno KV key (a read would fail with a 500), so it is simply not found.
 */
export function plausibleId(id: string): boolean {
  // No control characters either: PostgreSQL refuses a NUL in text (a 500 once, from a DM's
  // `userIds`).
  return id.length > 0 && id.length <= ID_INPUT_MAX && !/\p{Cc}/u.test(id);
}

/** The server's snapshot: from memory when this instance has it, else loaded once. */
export async function accessOf(
  access: AccessBook,
  serverId: string,
): Promise<ServerAccess | null> {
  return access.peek(serverId) ?? await access.load(serverId);
}

/**
 * The snapshot of a server `user` is a member of; NotFound otherwise. A snapshot that does not
 * know a member the store knows (a join heard on another instance first) is reloaded once.
 */
export async function memberAccess(
  deps: AccessDeps,
  user: UserRecord,
  serverId: string,
  options: AccessOptions = {},
): Promise<ServerAccess> {
  const thing = options.thing ?? "server";
  if (!plausibleId(serverId)) throw notFound(thing);
  const [access, stored] = await Promise.all([
    accessOf(deps.access, serverId),
    options.confirm ? storedMembership(deps.store, serverId, user.id) : undefined,
  ]);
  if (!access || stored === false || (access.isDm && !options.dm)) throw notFound(thing);
  if (access.isMember(user.id)) return access;
  if (!(stored ?? await storedMembership(deps.store, serverId, user.id))) throw notFound(thing);
  const fresh = await deps.access.reload(serverId);
  if (!fresh?.isMember(user.id)) throw notFound(thing);
  return fresh;
}

/**
 * Membership as the store has it, of a server or of a DM channel (a DM is its own place:
 * db/dm_store.ts); a DM is asked only when no server membership is found.
 */
async function storedMembership(store: Store, placeId: string, userId: string): Promise<boolean> {
  return await store.isMember(placeId, userId) || await store.isDmMember(placeId, userId);
}

/** The server if `user` is a member of it; NotFound otherwise (membership read from the store). */
export async function memberServer(
  deps: AccessDeps,
  user: UserRecord,
  serverId: string,
): Promise<ServerRecord> {
  return (await memberAccess(deps, user, serverId, { confirm: true })).server;
}

/** A channel with the snapshot of its server. */
export interface ChannelAccess {
  channel: ChannelRecord;
  access: ServerAccess;
}

/** The server a channel belongs to: remembered (it never changes), or read once. */
async function serverOfChannel(
  store: Store,
  places: ChannelPlaces,
  channelId: string,
): Promise<{ serverId: string; read: boolean }> {
  const known = places.serverOf(channelId);
  if (known !== undefined) return { serverId: known, read: false };
  if (!plausibleId(channelId)) throw notFound("channel");
  const channel = await store.findChannel(channelId);
  if (!channel) throw notFound("channel");
  places.remember(channel.id, channel.serverId);
  return { serverId: channel.serverId, read: true };
}

/**
 * The channel if `user` may view it (a member with `view_channel` there); NotFound otherwise,
 * also for a channel that no longer exists.
 */
export async function viewableChannel(
  deps: AccessDeps,
  places: ChannelPlaces,
  user: UserRecord,
  channelId: string,
  options: AccessOptions = {},
): Promise<ChannelAccess> {
  const opts = { ...options, thing: options.thing ?? "channel", dm: true };
  const { serverId, read } = await serverOfChannel(deps.store, places, channelId);
  let access = await memberAccess(deps, user, serverId, opts);
  let channel = access.channel(channelId);
  if (!channel && read) {
    // Just read from the store but unknown to the snapshot: created on another instance, and
    // its event is not here yet.
    const fresh = await deps.access.reload(serverId);
    if (fresh) access = fresh;
    channel = access.channel(channelId);
  }
  if (!channel) {
    places.forget(channelId);
    throw notFound(opts.thing);
  }
  if (!access.canView(user.id, channel.id)) throw notFound(opts.thing);
  return { channel, access };
}

/** What a refusal says the permission was needed for ("send messages in this channel"). */
function refusal(permission: Permission, purpose: string): Forbidden {
  return new Forbidden(
    "missing_permissions",
    `You need the ${permission} permission to ${purpose}.`,
  );
}

/** Throws `403 missing_permissions` unless `userId` holds `permission` server-wide. */
export function requireServerPermission(
  access: ServerAccess,
  userId: string,
  permission: Permission,
  purpose: string,
): void {
  if (!has(access.serverPermissions(userId), permission)) throw refusal(permission, purpose);
}

/** Throws `403 missing_permissions` unless `userId` holds `permission` in the channel. */
export function requireChannelPermission(
  access: ServerAccess,
  userId: string,
  channelId: string,
  permission: Permission,
  purpose: string,
): void {
  if (!has(access.channelPermissions(userId, channelId), permission)) {
    throw refusal(permission, purpose);
  }
}

/** True if the user holds `permission` in the channel. */
export function holdsInChannel(
  access: ServerAccess,
  userId: string,
  channelId: string,
  permission: Permission,
): boolean {
  return has(access.channelPermissions(userId, channelId), permission);
}

/** Throws `403 timed_out` while the member is timed out. */
export function requireNotTimedOut(access: ServerAccess, userId: string, now: number): void {
  if (!access.isTimedOut(userId, now)) return;
  const until = access.member(userId)?.timeoutUntil?.toISOString();
  throw new Forbidden(
    "timed_out",
    until ? `You are timed out until ${until}.` : "You are timed out in this server.",
  );
}
