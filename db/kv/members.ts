/**
 * Memberships as governance sees them on Deno KV: roles and time-outs (`["member_state", …]`),
 * kicks and bans. A membership is the two keys `["server_members", serverId, userId]` and
 * `["user_servers", userId, serverId]`; sends check the first in their commit at the
 * versionstamp this instance remembers (KnownEntries), so every removal deletes both in one
 * commit (with the member's state) and forgets what was remembered: another instance's
 * remembered entry no longer matches, its commit fails and it reads the key again.
 */
import type { AuditEntryRecord, BanRecord, MemberRecord } from "../governance_store.ts";
import { listAll, optimistically, TRY_AGAIN } from "./commits.ts";
import {
  banKeyOf,
  memberKeyOf,
  type MemberState,
  memberStateKeyOf,
  roleKeyOf,
  serverKeyOf,
  userServerKeyOf,
  withAudit,
} from "./governance_keys.ts";
import type { KnownEntries } from "./known_entries.ts";
import { storedRoleIds } from "./roles.ts";

const NO_STATE: MemberState = { roleIds: [], timeoutUntil: null };

/** Adds to a commit the deletions that end a membership (both keys and the member's state). */
export function removeMembership(
  op: Deno.AtomicOperation,
  serverId: string,
  userId: string,
): Deno.AtomicOperation {
  return op.delete(memberKeyOf(serverId, userId))
    .delete(userServerKeyOf(userId, serverId))
    .delete(memberStateKeyOf(serverId, userId));
}

/** Adds to a commit the two keys of a new membership, which starts with no roles. */
export function addMembership(
  op: Deno.AtomicOperation,
  serverId: string,
  userId: string,
  joinedAt: Date,
): Deno.AtomicOperation {
  return op.set(memberKeyOf(serverId, userId), joinedAt)
    .set(userServerKeyOf(userId, serverId), joinedAt)
    .delete(memberStateKeyOf(serverId, userId));
}

/** A member record from its keys; role ids of roles that are gone are left out. */
function memberOf(
  serverId: string,
  userId: string,
  joinedAt: Date,
  state: MemberState | null,
  roles: Set<string>,
): MemberRecord {
  const { roleIds, timeoutUntil } = state ?? NO_STATE;
  return {
    serverId,
    userId,
    joinedAt,
    roleIds: roleIds.filter((id) => roles.has(id)),
    timeoutUntil,
  };
}

/** Oldest first, ties by id (as listMemberIds). */
const byJoinTime = (a: MemberRecord, b: MemberRecord) =>
  a.joinedAt.getTime() - b.joinedAt.getTime() ||
  (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

/** The member, ban and moderation methods of the KV store. */
export class KvMembers {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly known: KnownEntries,
  ) {}

  async findMember(serverId: string, userId: string): Promise<MemberRecord | null> {
    const [[server, member, state], roles] = await Promise.all([
      this.kv.getMany<[unknown, Date, MemberState]>([
        serverKeyOf(serverId),
        memberKeyOf(serverId, userId),
        memberStateKeyOf(serverId, userId),
      ]),
      storedRoleIds(this.kv, serverId),
    ]);
    if (server.versionstamp === null || member.value === null) return null;
    return memberOf(serverId, userId, member.value, state.value, roles);
  }

  async listMembers(serverId: string): Promise<MemberRecord[]> {
    const [server, members, states, roles] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll<Date>(this.kv, ["server_members", serverId]),
      listAll<MemberState>(this.kv, ["member_state", serverId]),
      storedRoleIds(this.kv, serverId),
    ]);
    if (server.versionstamp === null) return [];
    const stateOf = new Map(states.map((entry) => [entry.key[2] as string, entry.value]));
    return members.map((entry) => {
      const userId = entry.key[2] as string;
      return memberOf(serverId, userId, entry.value, stateOf.get(userId) ?? null, roles);
    }).sort(byJoinTime);
  }

  setMemberRole(
    serverId: string,
    userId: string,
    roleId: string,
    add: boolean,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#changeState(serverId, userId, audit, async (state, roles) => {
      const held = state.roleIds.filter((id) => roles.has(id));
      // `@everyone` is held implicitly, and a role that is not stored cannot be given.
      if (add && (roleId === serverId || !roles.has(roleId) || held.includes(roleId))) return null;
      if (!add) {
        if (!held.includes(roleId)) return null;
        return { state: { ...state, roleIds: held.filter((id) => id !== roleId) }, checks: [] };
      }
      // Checked in the commit: a role deleted meanwhile is not given.
      const role = await this.kv.get(roleKeyOf(serverId, roleId));
      if (role.versionstamp === null) return null;
      return { state: { ...state, roleIds: [...held, roleId] }, checks: [role] };
    });
  }

  setMemberTimeout(
    serverId: string,
    userId: string,
    until: Date | null,
    audit: AuditEntryRecord | null,
  ): Promise<MemberRecord | null> {
    return this.#changeState(serverId, userId, audit, (state) => {
      const same = (state.timeoutUntil?.getTime() ?? null) === (until?.getTime() ?? null);
      return Promise.resolve(
        same ? null : { state: { ...state, timeoutUntil: until }, checks: [] },
      );
    });
  }

  /** Removes a member (a kick, a leave): false if they were not one. */
  async kickMember(
    serverId: string,
    userId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    const memberKey = memberKeyOf(serverId, userId);
    const removed = await optimistically(`remove member ${userId}`, async () => {
      const entry = await this.kv.get(memberKey);
      if (entry.versionstamp === null) return false;
      const op = withAudit(
        removeMembership(this.kv.atomic().check(entry), serverId, userId),
        audit,
      );
      return (await op.commit()).ok ? true : TRY_AGAIN;
    });
    // What appends knew of it is out of date (their commit's check would fail).
    this.known.forget(memberKey);
    return removed;
  }

  async banMember(ban: BanRecord, audit: AuditEntryRecord | null): Promise<{ wasMember: boolean }> {
    const memberKey = memberKeyOf(ban.serverId, ban.userId);
    const done = await optimistically(`ban ${ban.userId}`, async () => {
      const [member, stored] = await this.kv.getMany([
        memberKey,
        banKeyOf(ban.serverId, ban.userId),
      ]);
      const wasMember = member.versionstamp !== null;
      // Already banned and not a member: nothing changes (the first ban's reason stays).
      if (!wasMember && stored.versionstamp !== null) return { wasMember };
      // The member check also orders a ban against a join racing it (joins check the ban).
      let op = this.kv.atomic().check(member).check(stored).set(stored.key, ban);
      if (wasMember) op = removeMembership(op, ban.serverId, ban.userId);
      return (await withAudit(op, audit).commit()).ok ? { wasMember } : TRY_AGAIN;
    });
    this.known.forget(memberKey);
    return done;
  }

  unbanMember(serverId: string, userId: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return optimistically(`unban ${userId}`, async () => {
      const entry = await this.kv.get(banKeyOf(serverId, userId));
      if (entry.versionstamp === null) return false;
      const op = withAudit(this.kv.atomic().check(entry).delete(entry.key), audit);
      return (await op.commit()).ok ? true : TRY_AGAIN;
    });
  }

  async findBan(serverId: string, userId: string): Promise<BanRecord | null> {
    const [server, ban] = await this.kv.getMany<[unknown, BanRecord]>([
      serverKeyOf(serverId),
      banKeyOf(serverId, userId),
    ]);
    return server.versionstamp === null ? null : ban.value;
  }

  async listBans(serverId: string): Promise<BanRecord[]> {
    const [server, bans] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll<BanRecord>(this.kv, ["bans", serverId]),
    ]);
    if (server.versionstamp === null) return [];
    return bans.map((entry) => entry.value).sort((a, b) =>
      a.createdAt.getTime() - b.createdAt.getTime() ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)
    );
  }

  /**
   * Read-check-commit of a member's state: `change` returns the new state and entries to
   * check with it, or null for "nothing changes" (no write, no audit entry). Null if not a
   * member.
   */
  #changeState(
    serverId: string,
    userId: string,
    audit: AuditEntryRecord | null,
    change: (
      state: MemberState,
      roles: Set<string>,
    ) => Promise<{ state: MemberState; checks: Deno.AtomicCheck[] } | null>,
  ): Promise<MemberRecord | null> {
    return optimistically(`change member ${userId}`, async () => {
      const [[server, member, stored], roles] = await Promise.all([
        this.kv.getMany<[unknown, Date, MemberState]>([
          serverKeyOf(serverId),
          memberKeyOf(serverId, userId),
          memberStateKeyOf(serverId, userId),
        ]),
        storedRoleIds(this.kv, serverId),
      ]);
      if (server.versionstamp === null || member.value === null) return null;
      const state = stored.value ?? NO_STATE;
      const changed = await change(state, roles);
      if (changed === null) return memberOf(serverId, userId, member.value, state, roles);
      // Still a member at the commit: a state written after a removal would outlive it.
      let op = this.kv.atomic().check(server).check(member).check(stored);
      for (const check of changed.checks) op = op.check(check);
      const empty = changed.state.roleIds.length === 0 && changed.state.timeoutUntil === null;
      op = empty ? op.delete(stored.key) : op.set(stored.key, changed.state);
      if (!(await withAudit(op, audit).commit()).ok) return TRY_AGAIN;
      return memberOf(serverId, userId, member.value, changed.state, roles);
    });
  }
}
