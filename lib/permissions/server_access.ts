/**
 * One server's permission snapshot: its roles, channels, overwrites and members, held in memory
 * so that a check (a send, the hub's fan-out of a message to every socket) is a map look-up.
 *
 * Effective permissions are computed once per (user, channel) and cached; `apply` keeps the
 * snapshot current from the governance events (they carry the full new objects, so every
 * instance updates from the bus without reading the store) and drops what the event may have
 * changed from the cache.
 */
import type {
  ChannelRecord,
  MemberRecord,
  OverwriteRecord,
  RoleRecord,
  ServerRecord,
} from "../../db/store.ts";
import type { ServerEvent, WireChannel, WireMember, WireRole } from "../realtime/protocol.ts";
import { evaluate, permissionBits } from "./evaluate.ts";
import type { EvaluationInput, EvaluationStep, OverwriteBits, RoleGrant } from "./evaluate.ts";
import { bitOf, DEFAULT_EVERYONE_PERMISSIONS, has, toBits, toNames } from "./permission_names.ts";
import type { Permission, PermissionBits } from "./permission_names.ts";

/** What a snapshot is built from (one read of each, see AccessBook). */
export interface AccessData {
  server: ServerRecord;
  roles: RoleRecord[];
  channels: ChannelRecord[];
  overwrites: OverwriteRecord[];
  members: MemberRecord[];
  /** A direct-message channel's snapshot (lib/dms/dm_access.ts), not a server's. */
  dm?: boolean;
}

/** Whose access an event may have changed: everyone's, one user's, or nobody's. */
export type Affected = "all" | string | null;

const VIEW = bitOf("view_channel");

export class ServerAccess {
  readonly serverId: string;
  /** True for a DM channel's snapshot: its "server" is the channel itself (lib/dms/dm_access.ts). */
  isDm = false;
  #server: ServerRecord;
  #roles = new Map<string, RoleRecord>();
  #grants = new Map<string, RoleGrant>();
  #channels = new Map<string, ChannelRecord>();
  #overwrites = new Map<string, OverwriteRecord[]>();
  #overwriteBits = new Map<string, OverwriteBits[]>();
  #members = new Map<string, MemberRecord>();
  #sortedChannels?: ChannelRecord[];
  #sortedRoles?: RoleRecord[];
  /** userId → server-level bits. */
  #serverBits = new Map<string, PermissionBits>();
  /** userId → channelId → bits: the fan-out's look-up. */
  #channelBits = new Map<string, Map<string, PermissionBits>>();

  private constructor(server: ServerRecord) {
    this.serverId = server.id;
    this.#server = server;
  }

  /** A snapshot of the data read from the store. */
  static from(data: AccessData): ServerAccess {
    const access = new ServerAccess(data.server);
    access.isDm = data.dm === true;
    for (const role of data.roles) access.#putRole(role);
    for (const channel of data.channels) access.#channels.set(channel.id, channel);
    const byChannel = new Map<string, OverwriteRecord[]>();
    for (const overwrite of data.overwrites) {
      const list = byChannel.get(overwrite.channelId) ?? [];
      list.push(overwrite);
      byChannel.set(overwrite.channelId, list);
    }
    for (const [channelId, list] of byChannel) access.#putOverwrites(channelId, list);
    for (const member of data.members) access.#members.set(member.userId, member);
    return access;
  }

  /** The server record. */
  get server(): ServerRecord {
    return this.#server;
  }

  /** Every channel in display order: top level by position (then age), each category's below it. */
  channels(): ChannelRecord[] {
    return this.#sortedChannels ??= sortChannels([...this.#channels.values()]);
  }

  /** One channel, or undefined if the server has none of that id. */
  channel(id: string): ChannelRecord | undefined {
    return this.#channels.get(id);
  }

  /** The channel's overwrites ([] for none). */
  overwritesOf(channelId: string): OverwriteRecord[] {
    return this.#overwrites.get(channelId) ?? [];
  }

  /** Every role, lowest position first (`@everyone` first). */
  roles(): RoleRecord[] {
    return this.#sortedRoles ??= [...this.#roles.values()].sort(byPosition);
  }

  /** One role, or undefined. */
  role(id: string): RoleRecord | undefined {
    return this.#roles.get(id);
  }

  /** The member's record (ids of deleted roles never appear; of a role not heard of yet, may), or undefined. */
  member(userId: string): MemberRecord | undefined {
    return this.#members.get(userId);
  }

  /** True if the user is a member of the server. */
  isMember(userId: string): boolean {
    return this.#members.has(userId);
  }

  /** Every member's user id. */
  memberIds(): string[] {
    return [...this.#members.keys()];
  }

  /** The user's server-level permissions (no channel's overwrites); 0 for non-members. */
  serverPermissions(userId: string): PermissionBits {
    let bits = this.#serverBits.get(userId);
    if (bits === undefined) {
      const input = this.#input(userId);
      bits = input ? permissionBits(input) : 0;
      this.#serverBits.set(userId, bits);
    }
    return bits;
  }

  /** The user's permissions in a channel (cached); 0 for non-members and unknown channels. */
  channelPermissions(userId: string, channelId: string): PermissionBits {
    let perUser = this.#channelBits.get(userId);
    const cached = perUser?.get(channelId);
    if (cached !== undefined) return cached;
    const input = this.#channels.has(channelId) ? this.#input(userId, channelId) : undefined;
    const bits = input ? permissionBits(input) : 0;
    if (!perUser) this.#channelBits.set(userId, perUser = new Map());
    perUser.set(channelId, bits);
    return bits;
  }

  /** True if the user may view the channel: the hub's per-socket check (a cache hit). */
  canView(userId: string, channelId: string): boolean {
    const cached = this.#channelBits.get(userId)?.get(channelId);
    return ((cached ?? this.channelPermissions(userId, channelId)) & VIEW) !== 0;
  }

  /** The channels the user may view, in `channels()` order. */
  visibleChannels(userId: string): ChannelRecord[] {
    return this.channels().filter((channel) => this.canView(userId, channel.id));
  }

  /** The user's permissions in the channel at `now`, with each step of the evaluation. */
  explain(
    userId: string,
    channelId: string,
    now: number,
  ): { permissions: Permission[]; steps: EvaluationStep[] } {
    if (!this.#channels.has(channelId)) {
      return { permissions: [], steps: [{ source: "no such channel", allow: [], deny: [] }] };
    }
    const input = this.#input(userId, channelId);
    if (!input) {
      return {
        permissions: [],
        steps: [{ source: "not a member of the server", allow: [], deny: [] }],
      };
    }
    const until = this.member(userId)?.timeoutUntil;
    if (until && until.getTime() > now) input.timedOutUntil = until;
    const { bits, steps } = evaluate(input);
    return { permissions: toNames(bits), steps };
  }

  /** The position of the user's highest role: the owner's is Infinity, `@everyone`'s 0, a non-member's -1. */
  highestPosition(userId: string): number {
    if (userId === this.#server.ownerId) return Infinity;
    const member = this.#members.get(userId);
    if (!member) return -1;
    let highest = 0;
    for (const roleId of member.roleIds) {
      highest = Math.max(highest, this.#roles.get(roleId)?.position ?? 0);
    }
    return highest;
  }

  /** True if the actor's highest role is above the target's (the owner is above all others). */
  outranks(actorId: string, targetUserId: string): boolean {
    if (targetUserId === this.#server.ownerId) return false;
    return this.highestPosition(actorId) > this.highestPosition(targetUserId);
  }

  /** True if the member is timed out at `now` (never the owner or an administrator). */
  isTimedOut(userId: string, now: number): boolean {
    const until = this.#members.get(userId)?.timeoutUntil;
    if (!until || until.getTime() <= now) return false;
    return !has(this.serverPermissions(userId), "administrator");
  }

  /** Applies a governance event; returns whose access may have changed: "all", one user id, or null (none). */
  apply(event: ServerEvent): Affected {
    const affected = this.#change(event);
    if (affected === "all") {
      this.#serverBits.clear();
      this.#channelBits.clear();
    } else if (affected !== null) {
      this.#serverBits.delete(affected);
      this.#channelBits.delete(affected);
    }
    return affected;
  }

  #change(event: ServerEvent): Affected {
    switch (event.type) {
      case "role_created":
      case "role_updated": {
        if (event.role.serverId !== this.serverId) return null;
        const before = this.#roles.get(event.role.id);
        this.#putRole(roleOf(event.role));
        // Positions matter to `outranks` (computed, not cached); bits only to permissions.
        return before && sameNames(before.permissions, event.role.permissions) ? null : "all";
      }
      case "role_deleted":
        if (event.serverId !== this.serverId || !this.#roles.has(event.roleId)) return null;
        this.#deleteRole(event.roleId);
        return "all";
      case "member_joined":
        if (event.serverId !== this.serverId) return null;
        if (!this.#members.has(event.user.id)) {
          this.#members.set(event.user.id, {
            serverId: this.serverId,
            userId: event.user.id,
            joinedAt: new Date(),
            roleIds: [],
            timeoutUntil: null,
          });
        }
        return event.user.id;
      case "member_updated":
        if (event.serverId !== this.serverId) return null;
        this.#members.set(event.member.user.id, this.#memberOf(event.member));
        return event.member.user.id;
      case "member_left":
        if (event.serverId !== this.serverId) return null;
        this.#members.delete(event.user.id);
        return event.user.id;
      case "channel_created":
      case "channel_updated": {
        if (event.channel.serverId !== this.serverId) return null;
        const known = this.#channels.has(event.channel.id);
        const before = JSON.stringify(this.#overwrites.get(event.channel.id) ?? []);
        this.#putChannel(event.channel);
        const after = JSON.stringify(this.#overwrites.get(event.channel.id) ?? []);
        // A rename, a topic or a move changes nobody's permissions: the caches stay (moving one
        // channel renumbers its siblings, one event each).
        return known && before === after ? null : "all";
      }
      case "channel_deleted":
        if (event.serverId !== this.serverId) return null;
        this.#channels.delete(event.channelId);
        this.#overwrites.delete(event.channelId);
        this.#overwriteBits.delete(event.channelId);
        this.#sortedChannels = undefined;
        return "all";
      case "server_updated": {
        if (event.server.id !== this.serverId) return null;
        const ownerChanged = event.server.ownerId !== this.#server.ownerId;
        this.#server = {
          ...this.#server,
          name: event.server.name,
          ownerId: event.server.ownerId,
          iconVersion: iconVersionOf(event.server.iconUrl),
        };
        return ownerChanged ? "all" : null;
      }
      case "server_deleted":
        if (event.serverId !== this.serverId) return null;
        this.#members.clear();
        return "all";
      default:
        return null;
    }
  }

  /** What evaluation needs for this user (and channel); undefined for a non-member. */
  #input(userId: string, channelId?: string): EvaluationInput | undefined {
    const member = this.#members.get(userId);
    if (!member) return undefined;
    const roles: RoleGrant[] = [];
    for (const roleId of member.roleIds) {
      const grant = this.#grants.get(roleId);
      if (grant && roleId !== this.serverId) roles.push(grant);
    }
    if (roles.length > 1) {
      roles.sort((a, b) => this.#roles.get(a.id)!.position - this.#roles.get(b.id)!.position);
    }
    return {
      userId,
      isOwner: userId === this.#server.ownerId,
      everyone: this.#grants.get(this.serverId) ?? defaultEveryone(this.serverId),
      roles,
      overwrites: channelId === undefined ? undefined : this.#overwriteBits.get(channelId) ?? [],
    };
  }

  #putRole(role: RoleRecord): void {
    this.#roles.set(role.id, role);
    const name = role.id === this.serverId ? "@everyone" : role.name;
    this.#grants.set(role.id, { id: role.id, name, bits: toBits(role.permissions) });
    this.#sortedRoles = undefined;
  }

  #deleteRole(roleId: string): void {
    this.#roles.delete(roleId);
    this.#grants.delete(roleId);
    this.#sortedRoles = undefined;
    for (const [userId, member] of this.#members) {
      if (member.roleIds.includes(roleId)) {
        this.#members.set(userId, {
          ...member,
          roleIds: member.roleIds.filter((id) => id !== roleId),
        });
      }
    }
    for (const [channelId, list] of this.#overwrites) {
      if (list.some((o) => o.targetId === roleId)) {
        this.#putOverwrites(channelId, list.filter((o) => o.targetId !== roleId));
      }
    }
  }

  #putChannel(wire: WireChannel): void {
    this.#channels.set(wire.id, {
      id: wire.id,
      serverId: wire.serverId,
      name: wire.name,
      createdAt: new Date(wire.createdAt),
      kind: wire.kind,
      parentId: wire.parentId,
      topic: wire.topic,
      position: wire.position,
    });
    this.#sortedChannels = undefined;
    this.#putOverwrites(
      wire.id,
      wire.permissionOverwrites.map((o) => ({
        channelId: wire.id,
        targetId: o.id,
        type: o.type,
        allow: o.allow,
        deny: o.deny,
      })),
    );
  }

  #putOverwrites(channelId: string, list: OverwriteRecord[]): void {
    if (list.length === 0) {
      this.#overwrites.delete(channelId);
      this.#overwriteBits.delete(channelId);
      return;
    }
    this.#overwrites.set(channelId, list);
    this.#overwriteBits.set(
      channelId,
      list.map((o) => ({
        targetId: o.targetId,
        type: o.type,
        allow: toBits(o.allow),
        deny: toBits(o.deny),
      })),
    );
  }

  /** A member record from the wire, without ids of roles this snapshot does not know. */
  #memberOf(wire: WireMember): MemberRecord {
    return {
      serverId: this.serverId,
      userId: wire.user.id,
      joinedAt: new Date(wire.joinedAt),
      // Ids of roles not known yet are kept (a member_updated may overtake its role_created
      // from another instance); evaluation skips roles it does not know.
      roleIds: wire.roles.filter((id) => id !== this.serverId),
      timeoutUntil: wire.timeoutUntil === null ? null : new Date(wire.timeoutUntil),
    };
  }
}

function roleOf(wire: WireRole): RoleRecord {
  return { ...wire, permissions: [...wire.permissions] };
}

/** `@everyone` as a new server has it, for a snapshot read without one (never expected). */
function defaultEveryone(serverId: string): RoleGrant {
  return { id: serverId, name: "@everyone", bits: toBits(DEFAULT_EVERYONE_PERMISSIONS) };
}

/** The icon version an icon URL carries (toWireServer's `?v=`), or null for none. */
function iconVersionOf(url: string | null): string | null {
  if (url === null) return null;
  return new URL(url, "http://x").searchParams.get("v");
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return toBits(a) === toBits(b);
}

function byPosition(a: RoleRecord, b: RoleRecord): number {
  // `@everyone` is 0 and first; equal positions (never expected) keep a stable order by id.
  return a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function byPlace(a: ChannelRecord, b: ChannelRecord): number {
  return a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Top-level channels and categories by position; each category's channels right after it. */
function sortChannels(channels: ChannelRecord[]): ChannelRecord[] {
  const categories = new Set(channels.filter((c) => c.kind === "category").map((c) => c.id));
  const children = new Map<string, ChannelRecord[]>();
  const top: ChannelRecord[] = [];
  for (const channel of channels) {
    const parent = channel.kind === "text" ? channel.parentId : null;
    if (parent !== null && categories.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(channel);
      children.set(parent, list);
    } else {
      top.push(channel);
    }
  }
  const sorted: ChannelRecord[] = [];
  for (const channel of top.sort(byPlace)) {
    sorted.push(channel);
    sorted.push(...(children.get(channel.id)?.sort(byPlace) ?? []));
  }
  return sorted;
}
