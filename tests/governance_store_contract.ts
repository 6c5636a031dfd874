/**
 * The store contract's governance cases (db/governance_store.ts and the Store methods that
 * grew with it), run on every backend by kv_store_test.ts and postgres_store_test.ts: roles,
 * member roles and time-outs, kicks and bans, overwrites, invite limits, server and channel
 * management, and the audit log written in the same commit as each change.
 *
 * How records stored before these fields existed read is backend-specific (an old-shaped KV
 * record, PostgreSQL rows from before migration 008): each backend file writes them its own way
 * and checks them with `assertLegacyDefaults` below.
 */
import assert from "node:assert/strict";
import { auditEntry } from "../lib/governance/audit.ts";
import { DEFAULT_EVERYONE_PERMISSIONS } from "../lib/permissions/permission_names.ts";
import type {
  AuditChange,
  AuditEntryRecord,
  BanRecord,
  ChannelRecord,
  InviteRecord,
  MemberRecord,
  MessageRecord,
  OverwriteRecord,
  RoleRecord,
  ServerRecord,
  Store,
  UserRecord,
} from "../db/store.ts";
import { ChannelNameTakenError, NotAMemberError, OwnsServersError } from "../db/store.ts";
import { type Backend, storeTest, type TestStore } from "./helpers/backends.ts";
import { channelRecord, newUser } from "./helpers/records.ts";

let clock = Date.parse("2026-03-01T00:00:00.000Z");
/** Strictly increasing times: "oldest first" orders and audit ids (UUIDv7) are deterministic. */
function tick(): Date {
  return new Date(clock += 1000);
}

function channel(
  serverId: string,
  name: string,
  overrides: Partial<ChannelRecord> = {},
): ChannelRecord {
  return channelRecord(serverId, name, tick(), overrides);
}

/** The `@everyone` every new server gets. */
export function everyoneOf(serverId: string): RoleRecord {
  return {
    id: serverId,
    serverId,
    name: "@everyone",
    color: null,
    position: 0,
    permissions: [...DEFAULT_EVERYONE_PERMISSIONS],
    mentionable: false,
  };
}

function role(serverId: string, name: string, position: number, extra: Partial<RoleRecord> = {}) {
  const record: RoleRecord = {
    id: crypto.randomUUID(),
    serverId,
    name,
    color: 0x3498db,
    position,
    permissions: ["manage_messages", "kick_members"],
    mentionable: true,
    ...extra,
  };
  return record;
}

function invite(server: ServerRecord, createdBy: string, extra: Partial<InviteRecord> = {}) {
  const record: InviteRecord = {
    code: `c${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`,
    serverId: server.id,
    createdBy,
    createdAt: tick(),
    expiresAt: null,
    maxUses: 0,
    uses: 0,
    ...extra,
  };
  return record;
}

/** An audit entry of `server` by `actorId` (a fresh, later id each call). */
function audit(
  serverId: string,
  actorId: string,
  action: string,
  targetType: AuditEntryRecord["targetType"],
  targetId: string,
  changes: AuditChange[] = [],
  reason: string | null = null,
): AuditEntryRecord {
  return auditEntry(tick().getTime(), {
    serverId,
    actorId,
    action,
    targetType,
    targetId,
    changes,
    reason,
  });
}

/** A user who owns a server with a `general` channel. */
async function seedServer(store: Store, name = "owner") {
  const owner = await newUser(store, name);
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: `${name}'s server`,
    ownerId: owner.id,
    createdAt: tick(),
    iconVersion: null,
  };
  const general = channel(server.id, "general");
  await store.createServer(server, general);
  return { owner, server, general };
}

/** A new user who is a member of `serverId` (joined now, by `addMember`). */
async function seedMember(store: Store, serverId: string, name = "guest") {
  const user = await newUser(store, name);
  const joinedAt = tick();
  assert.equal(await store.addMember(serverId, user.id, joinedAt), true);
  return { user, joinedAt };
}

function memberOf(
  serverId: string,
  userId: string,
  joinedAt: Date,
  extra: Partial<MemberRecord> = {},
) {
  const record: MemberRecord = {
    serverId,
    userId,
    joinedAt,
    roleIds: [],
    timeoutUntil: null,
    ...extra,
  };
  return record;
}

/** The member with its role ids sorted (their order is not part of the contract). */
function sortedRoles(member: MemberRecord | null): MemberRecord | null {
  return member && { ...member, roleIds: [...member.roleIds].sort() };
}

function send(
  store: Store,
  channelId: string,
  authorId: string,
  content: string,
  serverId?: string,
) {
  return store.appendMessage({
    id: crypto.randomUUID(),
    channelId,
    authorId,
    content,
    createdAt: new Date(),
    nonce: null,
    replyToId: null,
    mentions: { users: [], everyone: false },
  }, serverId);
}

/** The server's whole audit log, newest first. */
function logOf(store: Store, serverId: string): Promise<AuditEntryRecord[]> {
  return store.listAuditLog(serverId, { limit: 1000 });
}

/** Asserts `entry` is the newest entry of its server's log, stored exactly as given. */
async function assertLatest(store: Store, entry: AuditEntryRecord, message?: string) {
  const [latest] = await store.listAuditLog(entry.serverId, { limit: 1 });
  assert.deepEqual(latest, entry, message ?? `audit entry ${entry.action} is written`);
}

/** Runs `change` and asserts it wrote no audit entry to `serverId`'s log. */
async function assertNoEntry(
  store: Store,
  serverId: string,
  what: string,
  change: () => Promise<unknown>,
) {
  const before = await logOf(store, serverId);
  await change();
  assert.deepEqual(await logOf(store, serverId), before, `${what}: no audit entry`);
}

function byKey(overwrites: OverwriteRecord[]): OverwriteRecord[] {
  const key = (o: OverwriteRecord) => `${o.channelId}/${o.targetId}`;
  return [...overwrites].sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** Registers the governance cases of the store contract for one backend. */
export function governanceStoreContract(backend: Backend): void {
  const contract = (name: string, fn: (t: TestStore) => Promise<void>) =>
    storeTest(backend, `store contract (${backend.name}) - governance: ${name}`, fn);

  contract(
    "createServer stores @everyone with the defaults; the owner is a plain member",
    async ({ store }) => {
      const { owner, server } = await seedServer(store);
      assert.deepEqual(await store.findServer(server.id), server);
      assert.deepEqual(await store.listRoles(server.id), [everyoneOf(server.id)]);
      assert.deepEqual(await store.listRoles(crypto.randomUUID()), [], "no such server");
      const ownerMember = memberOf(server.id, owner.id, server.createdAt);
      assert.deepEqual(await store.findMember(server.id, owner.id), ownerMember);
      assert.deepEqual(await store.listMembers(server.id), [ownerMember]);
      assert.equal(await store.findMember(server.id, crypto.randomUUID()), null);
      assert.equal(await store.findMember(crypto.randomUUID(), owner.id), null);
      assert.deepEqual(await store.listMembers(crypto.randomUUID()), []);
      assert.deepEqual(await logOf(store, server.id), []);
      assert.deepEqual(await store.listOverwrites(server.id), []);
      assert.deepEqual(await store.listBans(server.id), []);
      assert.deepEqual(await store.listInvites(server.id), []);
      assert.equal(await store.findServerIcon(server.id), null);
    },
  );

  contract("listMembers: every member, oldest first", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const a = await seedMember(store, server.id, "a");
    const b = await seedMember(store, server.id, "b");
    assert.deepEqual(await store.listMembers(server.id), [
      memberOf(server.id, owner.id, server.createdAt),
      memberOf(server.id, a.user.id, a.joinedAt),
      memberOf(server.id, b.user.id, b.joinedAt),
    ]);
    await store.removeMember(server.id, a.user.id);
    assert.deepEqual((await store.listMembers(server.id)).map((m) => m.userId), [
      owner.id,
      b.user.id,
    ]);
  });

  contract("roles: created, listed lowest position first, updated", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const everyone = everyoneOf(server.id);
    const high = role(server.id, "Admins", 2, { permissions: ["administrator"], color: 0xff0000 });
    const low = role(server.id, "Mods", 1, { color: null, mentionable: false });
    const createHigh = audit(server.id, owner.id, "role_create", "role", high.id);
    await store.createRole(high, createHigh);
    await assertLatest(store, createHigh);
    const createLow = audit(server.id, owner.id, "role_create", "role", low.id);
    await store.createRole(low, createLow);
    await assertLatest(store, createLow);
    assert.deepEqual(await store.listRoles(server.id), [everyone, low, high]);

    const patch = { name: "Moderators", color: 0x00ff00, permissions: ["manage_messages"] };
    const update = audit(server.id, owner.id, "role_update", "role", low.id, [
      { key: "name", old: "Mods", new: "Moderators" },
    ]);
    const updated = await store.updateRole(server.id, low.id, patch, update);
    assert.deepEqual(updated, { ...low, ...patch });
    await assertLatest(store, update);
    assert.deepEqual(await store.listRoles(server.id), [everyone, updated, high]);

    // Moving a role above another changes the order.
    const moved = await store.updateRole(server.id, low.id, { position: 3 }, null);
    assert.deepEqual(moved, { ...updated!, position: 3 });
    assert.deepEqual(await store.listRoles(server.id), [everyone, high, moved]);

    // @everyone's permissions may change (its name and position stay the services' concern).
    const opened = await store.updateRole(server.id, server.id, {
      permissions: ["view_channel", "read_history"],
      mentionable: true,
    }, null);
    const everyoneNow = {
      ...everyone,
      permissions: ["view_channel", "read_history"],
      mentionable: true,
    };
    assert.deepEqual(opened, everyoneNow);
    assert.deepEqual((await store.listRoles(server.id))[0], everyoneNow);

    // Unknown roles, and roles of another server, are not there to update.
    const other = await seedServer(store, "other");
    await assertNoEntry(store, server.id, "updateRole of nothing", async () => {
      assert.equal(
        await store.updateRole(
          server.id,
          crypto.randomUUID(),
          { name: "x" },
          audit(server.id, owner.id, "role_update", "role", "x"),
        ),
        null,
      );
      assert.equal(
        await store.updateRole(
          other.server.id,
          high.id,
          { name: "x" },
          audit(server.id, owner.id, "role_update", "role", high.id),
        ),
        null,
      );
    });
    assert.deepEqual(await store.listRoles(other.server.id), [everyoneOf(other.server.id)]);
    assert.equal((await store.listRoles(server.id))[1].name, "Admins");
  });

  contract("deleteRole: members stop holding it and its overwrites go", async ({ store }) => {
    const { owner, server, general } = await seedServer(store);
    const guest = await seedMember(store, server.id);
    const doomed = role(server.id, "Doomed", 1);
    const kept = role(server.id, "Kept", 2);
    await store.createRole(doomed, null);
    await store.createRole(kept, null);
    await store.setMemberRole(server.id, guest.user.id, doomed.id, true, null);
    await store.setMemberRole(server.id, guest.user.id, kept.id, true, null);
    await store.setMemberRole(server.id, owner.id, doomed.id, true, null);
    const overwrite = (targetId: string, type: "role" | "member"): OverwriteRecord => ({
      channelId: general.id,
      targetId,
      type,
      allow: ["send_messages"],
      deny: ["view_channel"],
    });
    for (
      const o of [
        overwrite(doomed.id, "role"),
        overwrite(kept.id, "role"),
        overwrite(guest.user.id, "member"),
      ]
    ) {
      await store.putOverwrite(o, null);
    }

    const deletion = audit(server.id, owner.id, "role_delete", "role", doomed.id);
    assert.equal(await store.deleteRole(server.id, doomed.id, deletion), true);
    await assertLatest(store, deletion);
    assert.deepEqual(await store.listRoles(server.id), [everyoneOf(server.id), kept]);
    assert.deepEqual(
      await store.findMember(server.id, guest.user.id),
      memberOf(server.id, guest.user.id, guest.joinedAt, { roleIds: [kept.id] }),
    );
    assert.deepEqual((await store.findMember(server.id, owner.id))?.roleIds, []);
    assert.deepEqual(
      (await store.listMembers(server.id)).map((m) => [m.userId, m.roleIds]),
      [[owner.id, []], [guest.user.id, [kept.id]]],
    );
    assert.deepEqual(
      byKey(await store.listOverwrites(server.id)),
      byKey([overwrite(kept.id, "role"), overwrite(guest.user.id, "member")]),
    );
    await assertNoEntry(store, server.id, "deleting it again", async () => {
      assert.equal(
        await store.deleteRole(
          server.id,
          doomed.id,
          audit(server.id, owner.id, "role_delete", "role", doomed.id),
        ),
        false,
      );
    });
    // Another server cannot delete this server's role.
    const other = await seedServer(store, "other");
    assert.equal(await store.deleteRole(other.server.id, kept.id, null), false);
    assert.equal((await store.listRoles(server.id)).length, 2);
  });

  contract(
    "member roles: given and taken once each; an unchanged member writes no entry",
    async ({ store }) => {
      const { owner, server } = await seedServer(store);
      const guest = await seedMember(store, server.id);
      const mods = role(server.id, "Mods", 1);
      const vips = role(server.id, "VIPs", 2);
      await store.createRole(mods, null);
      await store.createRole(vips, null);
      const entry = (action: string, roleId: string) =>
        audit(server.id, owner.id, action, "member", guest.user.id, [
          { key: "roles", old: null, new: roleId },
        ]);

      const add = entry("member_role_add", mods.id);
      const given = await store.setMemberRole(server.id, guest.user.id, mods.id, true, add);
      const withMods = memberOf(server.id, guest.user.id, guest.joinedAt, { roleIds: [mods.id] });
      assert.deepEqual(given, withMods);
      await assertLatest(store, add);
      await assertNoEntry(store, server.id, "giving a role already held", async () => {
        assert.deepEqual(
          await store.setMemberRole(
            server.id,
            guest.user.id,
            mods.id,
            true,
            entry("member_role_add", mods.id),
          ),
          withMods,
        );
      });
      await store.setMemberRole(server.id, guest.user.id, vips.id, true, null);
      assert.deepEqual(
        sortedRoles(await store.findMember(server.id, guest.user.id)),
        memberOf(server.id, guest.user.id, guest.joinedAt, { roleIds: [mods.id, vips.id].sort() }),
      );

      const remove = entry("member_role_remove", mods.id);
      const taken = await store.setMemberRole(server.id, guest.user.id, mods.id, false, remove);
      const withVips = memberOf(server.id, guest.user.id, guest.joinedAt, { roleIds: [vips.id] });
      assert.deepEqual(taken, withVips);
      await assertLatest(store, remove);
      await assertNoEntry(store, server.id, "taking a role not held", async () => {
        assert.deepEqual(
          await store.setMemberRole(
            server.id,
            guest.user.id,
            mods.id,
            false,
            entry("member_role_remove", mods.id),
          ),
          withVips,
        );
      });
      assert.deepEqual(await store.findMember(server.id, guest.user.id), withVips);
      assert.deepEqual(
        (await store.listMembers(server.id)).map((m) => m.roleIds),
        [[], [vips.id]],
      );

      await assertNoEntry(store, server.id, "a non-member", async () => {
        const stranger = await newUser(store, "stranger");
        assert.equal(
          await store.setMemberRole(
            server.id,
            stranger.id,
            mods.id,
            true,
            entry("member_role_add", mods.id),
          ),
          null,
        );
        assert.equal(
          await store.setMemberRole(
            server.id,
            stranger.id,
            mods.id,
            false,
            entry("member_role_remove", mods.id),
          ),
          null,
        );
        assert.equal(await store.findMember(server.id, stranger.id), null);
      });
    },
  );

  contract("deleteRole racing grants and overwrites of it: none of them outlives it", async (t) => {
    const { server, general } = await seedServer(t.store);
    const other = await t.openAnother();
    const guests = await Promise.all(
      [1, 2, 3, 4].map((i) => seedMember(t.store, server.id, `g${i}`)),
    );
    for (let round = 0; round < 3; round++) {
      const doomed = role(server.id, `doomed${round}`, round + 1);
      await t.store.createRole(doomed, null);
      await Promise.allSettled([
        ...guests.map((g, i) =>
          (i % 2 ? other : t.store).setMemberRole(server.id, g.user.id, doomed.id, true, null)
        ),
        other.putOverwrite({
          channelId: general.id,
          targetId: doomed.id,
          type: "role",
          allow: ["view_channel"],
          deny: [],
        }, null),
        (round % 2 ? other : t.store).deleteRole(server.id, doomed.id, null),
      ]);
      for (const s of [t.store, other]) {
        assert.deepEqual(await s.listRoles(server.id), [everyoneOf(server.id)]);
        for (const g of guests) {
          assert.deepEqual((await s.findMember(server.id, g.user.id))?.roleIds, [], "findMember");
        }
        assert.ok(
          (await s.listMembers(server.id)).every((m) => m.roleIds.length === 0),
          "listMembers",
        );
        assert.deepEqual(await s.listOverwrites(server.id), [], "listOverwrites");
      }
    }
  });

  contract("member roles: grants made at once are all kept", async (t) => {
    const { owner, server } = await seedServer(t.store);
    const guest = await seedMember(t.store, server.id);
    const other = await t.openAnother();
    const roles = [1, 2, 3, 4, 5, 6].map((p) => role(server.id, `r${p}`, p));
    for (const r of roles) await t.store.createRole(r, null);
    await Promise.all(roles.map((r, i) =>
      (i % 2 ? other : t.store).setMemberRole(
        server.id,
        guest.user.id,
        r.id,
        true,
        audit(server.id, owner.id, "member_role_add", "member", guest.user.id),
      )
    ));
    assert.deepEqual(
      [...(await t.store.findMember(server.id, guest.user.id))!.roleIds].sort(),
      roles.map((r) => r.id).sort(),
    );
    assert.equal((await logOf(t.store, server.id)).length, roles.length, "one entry per grant");
    await Promise.all(
      roles.slice(0, 3).map((r, i) =>
        (i % 2 ? other : t.store).setMemberRole(server.id, guest.user.id, r.id, false, null)
      ),
    );
    assert.deepEqual(
      [...(await t.store.findMember(server.id, guest.user.id))!.roleIds].sort(),
      roles.slice(3).map((r) => r.id).sort(),
    );
  });

  contract("time-outs: set, lifted, kept apart from roles", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const guest = await seedMember(store, server.id);
    const mods = role(server.id, "Mods", 1);
    await store.createRole(mods, null);
    await store.setMemberRole(server.id, guest.user.id, mods.id, true, null);
    const until = new Date("2026-03-05T06:07:08.009Z");
    const timeout = audit(server.id, owner.id, "member_timeout", "member", guest.user.id, [
      { key: "timeoutUntil", old: null, new: until.toISOString() },
    ], "calm down");
    const timedOut = memberOf(server.id, guest.user.id, guest.joinedAt, {
      roleIds: [mods.id],
      timeoutUntil: until,
    });
    assert.deepEqual(
      await store.setMemberTimeout(server.id, guest.user.id, until, timeout),
      timedOut,
    );
    await assertLatest(store, timeout);
    assert.deepEqual(await store.findMember(server.id, guest.user.id), timedOut);
    assert.deepEqual((await store.listMembers(server.id))[1], timedOut);

    const later = new Date(until.getTime() + 3_600_000);
    assert.deepEqual(
      await store.setMemberTimeout(server.id, guest.user.id, later, null),
      { ...timedOut, timeoutUntil: later },
    );
    const lift = audit(server.id, owner.id, "member_timeout", "member", guest.user.id, [
      { key: "timeoutUntil", old: later.toISOString(), new: null },
    ]);
    const lifted = { ...timedOut, timeoutUntil: null };
    assert.deepEqual(await store.setMemberTimeout(server.id, guest.user.id, null, lift), lifted);
    await assertLatest(store, lift);
    assert.deepEqual(await store.findMember(server.id, guest.user.id), lifted);
    // A role change keeps the time-out, and the other way round.
    await store.setMemberTimeout(server.id, guest.user.id, until, null);
    await store.setMemberRole(server.id, guest.user.id, mods.id, false, null);
    assert.deepEqual(
      await store.findMember(server.id, guest.user.id),
      { ...timedOut, roleIds: [] },
    );

    await assertNoEntry(store, server.id, "timing out a non-member", async () => {
      assert.equal(
        await store.setMemberTimeout(
          server.id,
          crypto.randomUUID(),
          until,
          audit(server.id, owner.id, "member_timeout", "member", "x"),
        ),
        null,
      );
    });
  });

  contract("kickMember removes the membership everywhere, also for sends", async (t) => {
    const { store } = t;
    const { owner, server, general } = await seedServer(store);
    const guest = await seedMember(store, server.id);
    const mods = role(server.id, "Mods", 1);
    await store.createRole(mods, null);
    await store.setMemberRole(server.id, guest.user.id, mods.id, true, null);
    const other = await t.openAnother();
    // Both instances have just seen the membership (an append may remember it).
    await send(store, general.id, guest.user.id, "hello", server.id);
    await send(other, general.id, guest.user.id, "hello again", server.id);

    const kick = audit(server.id, owner.id, "member_kick", "member", guest.user.id, [], "rude");
    assert.equal(await store.kickMember(server.id, guest.user.id, kick), true);
    await assertLatest(store, kick);
    assert.equal(await store.isMember(server.id, guest.user.id), false);
    assert.equal(await store.findMember(server.id, guest.user.id), null);
    assert.deepEqual((await store.listMembers(server.id)).map((m) => m.userId), [owner.id]);
    assert.deepEqual(await store.listMemberIds(server.id), [owner.id]);
    assert.deepEqual(await store.listServersOf(guest.user.id), []);
    assert.deepEqual(await store.listMembershipsOf(guest.user.id), []);
    assert.deepEqual(await store.channelStates(guest.user.id, [server.id]), []);
    await assert.rejects(
      send(store, general.id, guest.user.id, "still here?", server.id),
      NotAMemberError,
    );
    await assert.rejects(
      send(other, general.id, guest.user.id, "still here?", server.id),
      NotAMemberError,
    );

    await assertNoEntry(store, server.id, "kicking a non-member", async () => {
      assert.equal(
        await store.kickMember(
          server.id,
          guest.user.id,
          audit(server.id, owner.id, "member_kick", "member", guest.user.id),
        ),
        false,
      );
    });
    // A kicked member may come back, as a new member without the old roles.
    const back = tick();
    assert.equal(await store.addMember(server.id, guest.user.id, back), true);
    assert.deepEqual(
      await store.findMember(server.id, guest.user.id),
      memberOf(server.id, guest.user.id, back),
    );
    assert.equal((await send(other, general.id, guest.user.id, "back", server.id)).message.seq, 3);
  });

  contract("banMember removes the member, stores the ban and blocks joining", async (t) => {
    const { store } = t;
    const { owner, server, general } = await seedServer(store);
    const guest = await seedMember(store, server.id);
    const code = invite(server, owner.id);
    await store.createInvite(code, null);
    const other = await t.openAnother();
    await send(store, general.id, guest.user.id, "hello", server.id);
    await send(other, general.id, guest.user.id, "hello again", server.id);

    const ban: BanRecord = {
      serverId: server.id,
      userId: guest.user.id,
      reason: "spam",
      createdAt: tick(),
    };
    const banEntry = audit(server.id, owner.id, "member_ban", "member", guest.user.id, [], "spam");
    assert.deepEqual(await store.banMember(ban, banEntry), { wasMember: true });
    await assertLatest(store, banEntry);
    assert.deepEqual(await store.findBan(server.id, guest.user.id), ban);
    assert.equal(await store.isMember(server.id, guest.user.id), false);
    assert.equal(await store.findMember(server.id, guest.user.id), null);
    assert.deepEqual(await store.listMemberIds(server.id), [owner.id]);
    assert.deepEqual(await store.listServersOf(guest.user.id), []);
    assert.deepEqual(await store.channelStates(guest.user.id, [server.id]), []);
    await assert.rejects(send(store, general.id, guest.user.id, "x", server.id), NotAMemberError);
    await assert.rejects(send(other, general.id, guest.user.id, "x", server.id), NotAMemberError);

    assert.deepEqual(await store.joinByInvite(code.code, guest.user.id, tick()), {
      status: "banned",
    });
    assert.deepEqual(await other.joinByInvite(code.code, guest.user.id, tick()), {
      status: "banned",
    });
    assert.equal(await store.isMember(server.id, guest.user.id), false);
    assert.equal((await store.findInvite(code.code))?.uses, 0, "a refused join uses nothing");

    // A ban of someone who is not a member (yet) is stored all the same.
    const stranger = await newUser(store, "stranger");
    const pre: BanRecord = {
      serverId: server.id,
      userId: stranger.id,
      reason: null,
      createdAt: tick(),
    };
    assert.deepEqual(await store.banMember(pre, null), { wasMember: false });
    assert.deepEqual(await store.findBan(server.id, stranger.id), pre);
    assert.deepEqual(await store.joinByInvite(code.code, stranger.id, tick()), {
      status: "banned",
    });
    assert.deepEqual(await store.listBans(server.id), [ban, pre]);
    assert.equal(await store.findBan(server.id, owner.id), null);
    const elsewhere = await seedServer(store, "elsewhere");
    assert.deepEqual(await store.listBans(elsewhere.server.id), []);
    assert.equal(await store.findBan(elsewhere.server.id, guest.user.id), null);
  });

  contract("unbanMember lifts the ban: the user may join again", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const guest = await seedMember(store, server.id);
    const code = invite(server, owner.id);
    await store.createInvite(code, null);
    const ban: BanRecord = {
      serverId: server.id,
      userId: guest.user.id,
      reason: null,
      createdAt: tick(),
    };
    await store.banMember(ban, null);

    const unban = audit(server.id, owner.id, "member_unban", "member", guest.user.id);
    assert.equal(await store.unbanMember(server.id, guest.user.id, unban), true);
    await assertLatest(store, unban);
    assert.equal(await store.findBan(server.id, guest.user.id), null);
    assert.deepEqual(await store.listBans(server.id), []);
    await assertNoEntry(store, server.id, "lifting a ban that is not there", async () => {
      assert.equal(
        await store.unbanMember(
          server.id,
          guest.user.id,
          audit(server.id, owner.id, "member_unban", "member", guest.user.id),
        ),
        false,
      );
    });
    const now = tick();
    assert.deepEqual(await store.joinByInvite(code.code, guest.user.id, now), {
      status: "joined",
      server,
    });
    assert.deepEqual(
      await store.findMember(server.id, guest.user.id),
      memberOf(server.id, guest.user.id, now),
    );
  });

  contract(
    "overwrites: put, replaced per target, deleted, listed per server",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const random = channel(server.id, "random");
      await store.createChannel(random, null);
      const guest = await seedMember(store, server.id);
      const mods = role(server.id, "Mods", 1);
      await store.createRole(mods, null);

      const everyoneDeny: OverwriteRecord = {
        channelId: general.id,
        targetId: server.id,
        type: "role",
        allow: [],
        deny: ["view_channel", "send_messages"],
      };
      const modsAllow: OverwriteRecord = {
        channelId: general.id,
        targetId: mods.id,
        type: "role",
        allow: ["view_channel"],
        deny: [],
      };
      const guestDeny: OverwriteRecord = {
        channelId: random.id,
        targetId: guest.user.id,
        type: "member",
        allow: ["add_reactions"],
        deny: ["send_messages"],
      };
      for (const o of [everyoneDeny, modsAllow, guestDeny]) {
        const entry = audit(server.id, owner.id, "overwrite_update", "overwrite", o.targetId, [
          { key: "deny", old: null, new: o.deny },
        ]);
        await store.putOverwrite(o, entry);
        await assertLatest(store, entry);
      }
      const elsewhere = await seedServer(store, "elsewhere");
      const foreign: OverwriteRecord = {
        ...everyoneDeny,
        channelId: elsewhere.general.id,
        targetId: elsewhere.server.id,
      };
      await store.putOverwrite(foreign, null);
      assert.deepEqual(
        byKey(await store.listOverwrites(server.id)),
        byKey([everyoneDeny, modsAllow, guestDeny]),
      );
      assert.deepEqual(await store.listOverwrites(elsewhere.server.id), [foreign]);

      // Putting one again replaces it: one overwrite per (channel, target).
      const replaced: OverwriteRecord = {
        ...modsAllow,
        allow: ["view_channel", "manage_messages"],
        deny: ["add_reactions"],
      };
      await store.putOverwrite(replaced, null);
      const emptied: OverwriteRecord = { ...guestDeny, allow: [], deny: [] };
      await store.putOverwrite(emptied, null);
      assert.deepEqual(
        byKey(await store.listOverwrites(server.id)),
        byKey([everyoneDeny, replaced, emptied]),
      );

      const deletion = audit(server.id, owner.id, "overwrite_delete", "overwrite", mods.id);
      assert.equal(await store.deleteOverwrite(general.id, mods.id, deletion), true);
      await assertLatest(store, deletion);
      assert.deepEqual(
        byKey(await store.listOverwrites(server.id)),
        byKey([everyoneDeny, emptied]),
      );
      await assertNoEntry(store, server.id, "deleting an absent overwrite", async () => {
        assert.equal(
          await store.deleteOverwrite(
            general.id,
            mods.id,
            audit(server.id, owner.id, "overwrite_delete", "overwrite", mods.id),
          ),
          false,
        );
        // The member's overwrite is on random, not general.
        assert.equal(await store.deleteOverwrite(general.id, guest.user.id, null), false);
      });
      assert.deepEqual(
        byKey(await store.listOverwrites(server.id)),
        byKey([everyoneDeny, emptied]),
      );
    },
  );

  contract("invites: limits round-trip, listed oldest first, deleted", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const unlimited = invite(server, owner.id);
    const expired = invite(server, owner.id, { expiresAt: new Date("2026-01-01T00:00:00.123Z") });
    const limited = invite(server, owner.id, {
      expiresAt: new Date("2099-01-01T00:00:00.000Z"),
      maxUses: 5,
    });
    // Stored in another order than created: the list is by creation time.
    for (const i of [limited, unlimited, expired]) {
      const entry = audit(server.id, owner.id, "invite_create", "invite", i.code, [
        { key: "maxUses", old: null, new: i.maxUses },
      ]);
      await store.createInvite(i, entry);
      await assertLatest(store, entry);
      assert.deepEqual(await store.findInvite(i.code), i);
    }
    const elsewhere = await seedServer(store, "elsewhere");
    await store.createInvite(invite(elsewhere.server, elsewhere.owner.id), null);
    assert.deepEqual(await store.listInvites(server.id), [unlimited, expired, limited]);
    assert.deepEqual(await store.listInvites(crypto.randomUUID()), []);

    const deletion = audit(server.id, owner.id, "invite_delete", "invite", expired.code);
    assert.equal(await store.deleteInvite(expired.code, deletion), true);
    await assertLatest(store, deletion);
    assert.equal(await store.findInvite(expired.code), null);
    assert.deepEqual(await store.listInvites(server.id), [unlimited, limited]);
    await assertNoEntry(store, server.id, "deleting an absent invite", async () => {
      assert.equal(
        await store.deleteInvite(
          expired.code,
          audit(server.id, owner.id, "invite_delete", "invite", expired.code),
        ),
        false,
      );
    });
    assert.deepEqual(await store.joinByInvite(expired.code, elsewhere.owner.id, tick()), {
      status: "invalid",
    });
  });

  contract("joinByInvite: a new member counts one use; a member joins nothing", async (t) => {
    const { store } = t;
    const { owner, server, general } = await seedServer(store);
    const code = invite(server, owner.id);
    await store.createInvite(code, null);
    const guest = await newUser(store, "guest");
    const other = await t.openAnother();
    // Both instances have seen that the guest is not a member.
    await assert.rejects(send(store, general.id, guest.id, "early", server.id), NotAMemberError);
    await assert.rejects(send(other, general.id, guest.id, "early", server.id), NotAMemberError);

    const now = tick();
    assert.deepEqual(await store.joinByInvite(code.code, guest.id, now), {
      status: "joined",
      server,
    });
    assert.deepEqual(await store.findInvite(code.code), { ...code, uses: 1 });
    assert.deepEqual(
      await store.findMember(server.id, guest.id),
      memberOf(server.id, guest.id, now),
    );
    assert.equal(await store.isMember(server.id, guest.id), true);
    assert.deepEqual(await store.listMemberIds(server.id), [owner.id, guest.id]);
    assert.deepEqual(await store.listServersOf(guest.id), [server]);
    assert.deepEqual(await store.listMembershipsOf(guest.id), [{ server, joinedAt: now }]);
    assert.equal((await store.channelStates(guest.id, [server.id])).length, 1);
    assert.equal((await send(store, general.id, guest.id, "hi", server.id)).message.seq, 1);
    assert.equal((await send(other, general.id, guest.id, "hi there", server.id)).message.seq, 2);

    assert.deepEqual(await store.joinByInvite(code.code, guest.id, tick()), {
      status: "member",
      server,
    });
    assert.deepEqual(await other.joinByInvite(code.code, owner.id, tick()), {
      status: "member",
      server,
    });
    assert.equal((await store.findInvite(code.code))?.uses, 1, "members use nothing");
    assert.deepEqual(
      await store.findMember(server.id, guest.id),
      memberOf(server.id, guest.id, now),
    );
    assert.deepEqual(await store.listInvites(server.id), [{ ...code, uses: 1 }]);

    assert.deepEqual(await store.joinByInvite("nosuchcode", guest.id, tick()), {
      status: "invalid",
    });
    assert.deepEqual(
      await store.joinByInvite(code.code.toUpperCase(), guest.id, tick()),
      { status: "invalid" },
      "codes are case-sensitive",
    );
  });

  contract("joinByInvite: expired and used-up invites are invalid", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const expiresAt = new Date("2026-06-01T00:00:00.000Z");
    const expiring = invite(server, owner.id, { expiresAt });
    const once = invite(server, owner.id, { maxUses: 1 });
    await store.createInvite(expiring, null);
    await store.createInvite(once, null);
    const [a, b, c, d] = await Promise.all(["a", "b", "c", "d"].map((n) => newUser(store, n)));

    const justBefore = new Date(expiresAt.getTime() - 1);
    assert.deepEqual(await store.joinByInvite(expiring.code, a.id, justBefore), {
      status: "joined",
      server,
    });
    assert.deepEqual(await store.joinByInvite(expiring.code, b.id, expiresAt), {
      status: "invalid",
    });
    assert.deepEqual(
      await store.joinByInvite(expiring.code, b.id, new Date(expiresAt.getTime() + 1)),
      { status: "invalid" },
    );
    assert.equal(await store.isMember(server.id, b.id), false);
    assert.equal((await store.findInvite(expiring.code))?.uses, 1);

    assert.deepEqual(await store.joinByInvite(once.code, c.id, tick()), {
      status: "joined",
      server,
    });
    assert.deepEqual(await store.joinByInvite(once.code, d.id, tick()), { status: "invalid" });
    assert.equal(await store.isMember(server.id, d.id), false);
    // Used up, it is still there (listed with its uses) until deleted.
    assert.deepEqual(await store.findInvite(once.code), { ...once, uses: 1 });
    assert.deepEqual(await store.listInvites(server.id), [
      { ...expiring, uses: 1 },
      { ...once, uses: 1 },
    ]);
    // Oldest first: `a` joined at the invite's expiry, after `c`'s time.
    assert.deepEqual(await store.listMemberIds(server.id), [owner.id, c.id, a.id]);
  });

  contract("joinByInvite: joins at once never exceed maxUses", async (t) => {
    const { owner, server } = await seedServer(t.store);
    const code = invite(server, owner.id, { maxUses: 2 });
    await t.store.createInvite(code, null);
    const other = await t.openAnother();
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => newUser(t.store, `j${i}`)));
    const results = await Promise.all(
      users.map((user, i) => (i % 2 ? other : t.store).joinByInvite(code.code, user.id, tick())),
    );
    const joined = users.filter((_, i) => results[i].status === "joined");
    assert.equal(joined.length, 2, JSON.stringify(results));
    assert.equal(results.filter((r) => r.status === "invalid").length, 4);
    assert.equal((await t.store.findInvite(code.code))?.uses, 2);
    assert.deepEqual(
      (await t.store.listMemberIds(server.id)).toSorted(),
      [owner.id, ...joined.map((u) => u.id)].toSorted(),
    );
  });

  contract("joinByInvite: one user joining several times at once is one use", async (t) => {
    const { owner, server } = await seedServer(t.store);
    const code = invite(server, owner.id);
    await t.store.createInvite(code, null);
    const other = await t.openAnother();
    const guest = await newUser(t.store, "eager");
    const results = await Promise.all(
      [t.store, other, t.store, other].map((s) => s.joinByInvite(code.code, guest.id, tick())),
    );
    assert.deepEqual(results.map((r) => r.status).toSorted(), [
      "joined",
      "member",
      "member",
      "member",
    ]);
    assert.equal((await t.store.findInvite(code.code))?.uses, 1);
    assert.deepEqual(await t.store.listMemberIds(server.id), [owner.id, guest.id]);
  });

  contract("a ban racing a join: the user ends up banned and not a member", async (t) => {
    const { owner, server } = await seedServer(t.store);
    const other = await t.openAnother();
    const code = invite(server, owner.id);
    await t.store.createInvite(code, null);
    for (let round = 0; round < 4; round++) {
      const user = await newUser(t.store, `racer${round}`);
      const ban: BanRecord = {
        serverId: server.id,
        userId: user.id,
        reason: null,
        createdAt: tick(),
      };
      const [join] = await Promise.all([
        (round % 2 ? other : t.store).joinByInvite(code.code, user.id, tick()),
        (round % 2 ? t.store : other).banMember(ban, null),
      ]);
      assert.ok(join.status === "joined" || join.status === "banned", join.status);
      for (const s of [t.store, other]) {
        assert.equal(await s.isMember(server.id, user.id), false, `round ${round}`);
        assert.equal(await s.findMember(server.id, user.id), null);
        assert.deepEqual(await s.listServersOf(user.id), []);
        assert.deepEqual(await s.findBan(server.id, user.id), ban);
      }
    }
  });

  contract("a kick racing a role grant: who joins again starts with no roles", async (t) => {
    const { server } = await seedServer(t.store);
    const other = await t.openAnother();
    const user = await newUser(t.store, "kicked");
    const mods = role(server.id, "Mods", 1);
    await t.store.createRole(mods, null);
    for (let round = 0; round < 4; round++) {
      await t.store.addMember(server.id, user.id, tick());
      await Promise.allSettled([
        (round % 2 ? other : t.store).setMemberRole(server.id, user.id, mods.id, true, null),
        (round % 2 ? t.store : other).kickMember(server.id, user.id, null),
        other.setMemberTimeout(server.id, user.id, new Date("2026-12-31T00:00:00.000Z"), null),
      ]);
      assert.equal(await t.store.findMember(server.id, user.id), null);
      const back = tick();
      await t.store.addMember(server.id, user.id, back);
      assert.deepEqual(
        await other.findMember(server.id, user.id),
        memberOf(server.id, user.id, back),
        `round ${round}`,
      );
      await t.store.kickMember(server.id, user.id, null);
    }
  });

  contract("deleteServer racing joins: nobody joins a deleted server", async (t) => {
    const other = await t.openAnother();
    for (let round = 0; round < 3; round++) {
      const { owner, server } = await seedServer(t.store, `o${round}`);
      const code = invite(server, owner.id);
      await t.store.createInvite(code, null);
      const users = await Promise.all([1, 2, 3].map((i) => newUser(t.store, `u${round}${i}`)));
      await Promise.all([
        ...users.map((u, i) => (i % 2 ? other : t.store).joinByInvite(code.code, u.id, tick())),
        (round % 2 ? other : t.store).deleteServer(server.id),
      ]);
      for (const s of [t.store, other]) {
        for (const u of users) {
          assert.deepEqual(await s.listServersOf(u.id), [], `round ${round}`);
          assert.deepEqual(await s.listMembershipsOf(u.id), []);
          assert.equal(await s.isMember(server.id, u.id), false);
          assert.deepEqual(await s.channelStates(u.id, [server.id]), []);
        }
        assert.deepEqual(await s.listMembers(server.id), []);
        assert.equal(await s.findServer(server.id), null);
      }
    }
  });

  contract("writes racing or following deleteServer leave nothing readable", async (t) => {
    const other = await t.openAnother();
    for (let round = 0; round < 3; round++) {
      const { owner, server, general } = await seedServer(t.store, `w${round}`);
      const guest = await seedMember(t.store, server.id);
      const mods = role(server.id, "Mods", 1);
      await t.store.createRole(mods, null);
      const made = {
        channel: channel(server.id, "late"),
        role: role(server.id, "Late", 2),
        invite: invite(server, owner.id),
      };
      const entry = () => audit(server.id, owner.id, "server_update", "server", server.id);
      const writes = (s: Store) => [
        s.createChannel(made.channel, entry()),
        s.createRole(made.role, entry()),
        s.createInvite(made.invite, entry()),
        s.setMemberRole(server.id, guest.user.id, mods.id, true, entry()),
        s.setMemberTimeout(server.id, guest.user.id, tick(), entry()),
        s.putOverwrite({
          channelId: general.id,
          targetId: mods.id,
          type: "role",
          allow: [],
          deny: ["view_channel"],
        }, entry()),
        s.banMember(
          { serverId: server.id, userId: owner.id, reason: null, createdAt: tick() },
          entry(),
        ),
        s.updateServer(server.id, { name: "late" }, entry()),
        s.putServerIcon(server.id, {
          contentType: "image/png",
          bytes: new Uint8Array([1]),
          version: "late",
        }, entry()),
        send(s, general.id, guest.user.id, "late", server.id),
      ];
      const racing = round < 2;
      if (racing) {
        await Promise.allSettled([
          ...writes(round % 2 ? other : t.store),
          (round % 2 ? t.store : other).deleteServer(server.id),
        ]);
      } else {
        assert.equal(await t.store.deleteServer(server.id), true);
        await Promise.allSettled(writes(other));
      }
      for (const s of [t.store, other]) {
        const gone = `${racing ? "racing" : "after"} deleteServer: nothing readable`;
        assert.equal(await s.findServer(server.id), null, gone);
        assert.deepEqual(await s.listChannels(server.id), [], gone);
        assert.equal(await s.findChannel(made.channel.id), null, gone);
        assert.deepEqual(await s.listMessages(general.id, { limit: 10 }), [], gone);
        assert.deepEqual(await s.listRoles(server.id), [], gone);
        assert.deepEqual(await s.listInvites(server.id), [], gone);
        assert.equal(await s.findInvite(made.invite.code), null, gone);
        assert.deepEqual(await s.listMembers(server.id), [], gone);
        assert.equal(await s.findMember(server.id, guest.user.id), null, gone);
        assert.deepEqual(await s.listServersOf(guest.user.id), [], gone);
        assert.deepEqual(await s.listOverwrites(server.id), [], gone);
        assert.deepEqual(await s.listBans(server.id), [], gone);
        assert.equal(await s.findBan(server.id, owner.id), null, gone);
        assert.deepEqual(await logOf(s, server.id), [], gone);
        assert.equal(await s.findServerIcon(server.id), null, gone);
      }
    }
  });

  contract("updateServer: rename and owner transfer, seen by every read", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const guest = await seedMember(store, server.id);
    const rename = audit(server.id, owner.id, "server_update", "server", server.id, [
      { key: "name", old: server.name, new: "Renamed" },
    ]);
    const renamed = await store.updateServer(server.id, { name: "Renamed" }, rename);
    assert.deepEqual(renamed, { ...server, name: "Renamed" });
    await assertLatest(store, rename);
    assert.deepEqual(await store.findServer(server.id), renamed);
    assert.deepEqual(await store.listServersOf(owner.id), [renamed]);
    assert.deepEqual(await store.listServersOf(guest.user.id), [renamed]);
    assert.deepEqual((await store.listMembershipsOf(guest.user.id))[0].server, renamed);
    assert.deepEqual((await store.channelStates(guest.user.id, [server.id]))[0].server, renamed);

    const transfer = audit(server.id, owner.id, "server_update", "server", server.id, [
      { key: "ownerId", old: owner.id, new: guest.user.id },
    ]);
    const transferred = await store.updateServer(server.id, { ownerId: guest.user.id }, transfer);
    assert.deepEqual(transferred, { ...renamed!, ownerId: guest.user.id });
    await assertLatest(store, transfer);
    assert.deepEqual(await store.findServer(server.id), transferred);
    await assert.rejects(
      store.deleteUser(guest.user.id),
      OwnsServersError,
      "the new owner owns it",
    );

    const both = await store.updateServer(server.id, { name: "Both", ownerId: owner.id }, null);
    assert.deepEqual(both, { ...server, name: "Both" });
    assert.deepEqual(await store.updateServer(server.id, {}, null), both, "an empty patch");
    assert.equal(await store.updateServer(crypto.randomUUID(), { name: "x" }, null), null);
    // After a transfer, the former owner owns nothing (and may delete their account).
    await store.updateServer(server.id, { ownerId: guest.user.id }, null);
    assert.equal(await store.deleteUser(owner.id), true);
    assert.equal((await store.findServer(server.id))?.ownerId, guest.user.id);
  });

  contract("putServerIcon stores icons whole and sets iconVersion", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    // Over KV's 64 KiB value limit, and not a multiple of any chunk size.
    const bytes = new Uint8Array(300 * 1024 + 3);
    for (let i = 0; i < bytes.length; i += 65_536) {
      crypto.getRandomValues(bytes.subarray(i, i + 65_536));
    }
    const upload = audit(server.id, owner.id, "server_update", "server", server.id, [
      { key: "icon", old: null, new: "i1" },
    ]);
    const first = await store.putServerIcon(server.id, {
      contentType: "image/png",
      bytes,
      version: "i1",
    }, upload);
    assert.deepEqual(first, { ...server, iconVersion: "i1" });
    await assertLatest(store, upload);
    assert.deepEqual(await store.findServer(server.id), first);
    assert.deepEqual(await store.listServersOf(owner.id), [first]);
    assert.deepEqual(await store.findServerIcon(server.id), {
      contentType: "image/png",
      bytes,
      version: "i1",
    });

    const small = new Uint8Array([7, 8, 9]);
    const second = await store.putServerIcon(server.id, {
      contentType: "image/webp",
      bytes: small,
      version: "i2",
    }, null);
    assert.equal(second?.iconVersion, "i2");
    assert.deepEqual(await store.findServerIcon(server.id), {
      contentType: "image/webp",
      bytes: small,
      version: "i2",
    });
    assert.equal((await store.findServer(server.id))?.iconVersion, "i2");

    // Other fields and the version move independently.
    const renamed = await store.updateServer(server.id, { name: "Iconic" }, null);
    assert.deepEqual(renamed, { ...server, name: "Iconic", iconVersion: "i2" });
    assert.deepEqual(await store.updateServer(server.id, { iconVersion: null }, null), {
      ...renamed!,
      iconVersion: null,
    });

    const unknown = crypto.randomUUID();
    assert.equal(
      await store.putServerIcon(
        unknown,
        { contentType: "image/png", bytes: small, version: "x" },
        null,
      ),
      null,
    );
    assert.equal(await store.findServerIcon(unknown), null);
    const bare = await seedServer(store, "bare");
    assert.equal(await store.findServerIcon(bare.server.id), null);
  });

  contract("deleteServer: nothing of it can be read afterwards", async (t) => {
    const { store } = t;
    const { owner, server, general } = await seedServer(store);
    const category = channel(server.id, "text", { kind: "category" });
    const random = channel(server.id, "random", { parentId: category.id, topic: "anything" });
    await store.createChannel(category, null);
    await store.createChannel(
      random,
      audit(server.id, owner.id, "channel_create", "channel", random.id),
    );
    const guest = await seedMember(store, server.id);
    const mods = role(server.id, "Mods", 1);
    await store.createRole(mods, null);
    await store.setMemberRole(server.id, guest.user.id, mods.id, true, null);
    await store.putOverwrite({
      channelId: random.id,
      targetId: mods.id,
      type: "role",
      allow: ["view_channel"],
      deny: [],
    }, null);
    const banned = await newUser(store, "banned");
    await store.banMember({
      serverId: server.id,
      userId: banned.id,
      reason: null,
      createdAt: tick(),
    }, null);
    const code = invite(server, owner.id);
    await store.createInvite(code, null);
    await store.putServerIcon(server.id, {
      contentType: "image/png",
      bytes: new Uint8Array([1]),
      version: "i1",
    }, null);
    const messages: MessageRecord[] = [];
    for (let i = 0; i < 30; i++) {
      messages.push(
        (await send(
          store,
          i % 2 ? general.id : random.id,
          i % 3 ? owner.id : guest.user.id,
          `m${i}`,
        )).message,
      );
    }
    await store.setReadMarker(guest.user.id, general.id, 3);
    // The owner is also a member of a server of someone else's, which stays.
    const elsewhere = await seedServer(store, "elsewhere");
    await store.addMember(elsewhere.server.id, owner.id, tick());
    const kept = (await send(store, elsewhere.general.id, owner.id, "stays")).message;

    assert.equal(await store.deleteServer(server.id), true);
    const assertGone = async (s: Store, when: string) => {
      const gone = `${when}: gone`;
      assert.equal(await s.findServer(server.id), null, gone);
      for (const c of [general, category, random]) {
        assert.equal(await s.findChannel(c.id), null, gone);
        assert.deepEqual(await s.listMessages(c.id, { limit: 100 }), [], gone);
      }
      for (const m of messages) assert.equal(await s.findMessage(m.id), null, gone);
      assert.deepEqual(await s.listChannels(server.id), [], gone);
      assert.equal(await s.findInvite(code.code), null, gone);
      assert.deepEqual(await s.listInvites(server.id), [], gone);
      assert.deepEqual(await s.listServersOf(guest.user.id), [], gone);
      assert.deepEqual(
        (await s.listServersOf(owner.id)).map((x) => x.id),
        [elsewhere.server.id],
        gone,
      );
      assert.deepEqual(await s.listMembershipsOf(guest.user.id), [], gone);
      assert.deepEqual(await s.channelStates(owner.id, [server.id]), [], gone);
      assert.deepEqual(
        (await s.channelStates(owner.id, [server.id, elsewhere.server.id])).map((x) => x.server.id),
        [elsewhere.server.id],
        gone,
      );
      assert.deepEqual(await s.listRoles(server.id), [], gone);
      assert.equal(await s.isMember(server.id, guest.user.id), false, gone);
      assert.equal(await s.findMember(server.id, guest.user.id), null, gone);
      assert.deepEqual(await s.listMembers(server.id), [], gone);
      assert.deepEqual(await s.listMemberIds(server.id), [], gone);
      assert.deepEqual(await s.listOverwrites(server.id), [], gone);
      assert.equal(await s.findBan(server.id, banned.id), null, gone);
      assert.deepEqual(await s.listBans(server.id), [], gone);
      assert.deepEqual(await logOf(s, server.id), [], gone);
      assert.equal(await s.findServerIcon(server.id), null, gone);
      assert.deepEqual(
        await s.joinByInvite(code.code, banned.id, tick()),
        { status: "invalid" },
        gone,
      );
      await assert.rejects(send(s, general.id, owner.id, "into the void", server.id));
      assert.deepEqual(await s.findMessage(kept.id), kept, "another server's message stays");
      assert.deepEqual(await s.readMarkers(guest.user.id), new Map(), gone);
      assert.deepEqual(await s.listMessagesByAuthor(guest.user.id, { limit: 100 }), [], gone);
      assert.deepEqual(await s.listMessagesByAuthor(owner.id, { limit: 100 }), [kept], gone);
    };
    await assertGone(store, "at once");
    await assertGone(await t.openAnother(), "from another instance");
    assert.equal(await store.deleteServer(server.id), false);
    const reopened = await t.reopen();
    await assertGone(reopened, "after a restart");
    assert.equal(await reopened.deleteUser(owner.id), true, "its owner owns nothing any more");
  });

  contract("channels: categories and topics round-trip", async ({ store }) => {
    const { server, general } = await seedServer(store);
    const category = channel(server.id, "Voice-ish", { kind: "category", position: 1 });
    const child = channel(server.id, "inside", {
      parentId: category.id,
      topic: "Ünïcødé ✓ 'q'",
      position: 2,
    });
    await store.createChannel(category);
    await store.createChannel(child, null);
    assert.deepEqual(await store.findChannel(category.id), category);
    assert.deepEqual(await store.findChannel(child.id), child);
    assert.deepEqual(await store.listChannels(server.id), [general, category, child]);
    const [state] = await store.channelStates(server.ownerId, [server.id]);
    assert.deepEqual(state.channels.map((c) => c.channel), [general, category, child]);
  });

  contract("updateChannel: a patch seen by every read; names stay unique", async ({ store }) => {
    const { owner, server, general } = await seedServer(store);
    const category = channel(server.id, "cat", { kind: "category" });
    const random = channel(server.id, "random");
    await store.createChannel(category, null);
    await store.createChannel(random, null);

    const patch = { name: "lounge", topic: "Sit down", position: 4, parentId: category.id };
    const update = audit(server.id, owner.id, "channel_update", "channel", random.id, [
      { key: "name", old: "random", new: "lounge" },
    ]);
    const updated = await store.updateChannel(random.id, patch, update);
    assert.deepEqual(updated, { ...random, ...patch });
    await assertLatest(store, update);
    assert.deepEqual(await store.findChannel(random.id), updated);
    assert.deepEqual(await store.listChannels(server.id), [general, category, updated]);
    const [state] = await store.channelStates(owner.id, [server.id]);
    assert.deepEqual(state.channels.map((c) => c.channel), [general, category, updated]);
    // The old name is free, the new one taken.
    await store.createChannel(channel(server.id, "random"), null);
    await assert.rejects(store.createChannel(channel(server.id, "lounge")), ChannelNameTakenError);
    // Keeping its own name is no clash.
    assert.deepEqual(await store.updateChannel(random.id, { name: "lounge", topic: "" }, null), {
      ...updated!,
      topic: "",
    });
    const outOfCategory = await store.updateChannel(random.id, { parentId: null }, null);
    assert.equal(outOfCategory?.parentId, null);

    await assertNoEntry(store, server.id, "a rename onto a taken name", async () => {
      await assert.rejects(
        store.updateChannel(
          random.id,
          { name: "general", topic: "lost" },
          audit(server.id, owner.id, "channel_update", "channel", random.id),
        ),
        ChannelNameTakenError,
      );
    });
    assert.deepEqual(
      await store.findChannel(random.id),
      outOfCategory,
      "nothing of a refused patch",
    );
    assert.deepEqual(await store.findChannel(general.id), general);

    await assertNoEntry(store, server.id, "an unknown channel", async () => {
      assert.equal(
        await store.updateChannel(
          crypto.randomUUID(),
          { name: "x" },
          audit(server.id, owner.id, "channel_update", "channel", "x"),
        ),
        null,
      );
    });
    // Another server's names are its own.
    const elsewhere = await seedServer(store, "elsewhere");
    const renamed = await store.updateChannel(elsewhere.general.id, { name: "lounge" }, null);
    assert.equal(renamed?.name, "lounge");
  });

  contract("updateChannel: two renames to one name at once, one wins", async (t) => {
    const { server } = await seedServer(t.store);
    const other = await t.openAnother();
    const channels = [
      channel(server.id, "one"),
      channel(server.id, "two"),
      channel(server.id, "three"),
    ];
    for (const c of channels) await t.store.createChannel(c, null);
    const results = await Promise.allSettled(
      channels.map((c, i) => (i % 2 ? other : t.store).updateChannel(c.id, { name: "same" }, null)),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") {
        assert.ok(r.reason instanceof ChannelNameTakenError, String(r.reason));
      }
    }
    const names = (await t.store.listChannels(server.id)).map((c) => c.name);
    assert.equal(names.filter((n) => n === "same").length, 1);
    assert.equal(names.length, 4);
  });

  contract(
    "deleteChannel: messages, markers and overwrites go; its category's channels move out",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const category = channel(server.id, "cat", { kind: "category" });
      const doomed = channel(server.id, "doomed", { parentId: category.id });
      const sibling = channel(server.id, "sibling", { parentId: category.id, position: 1 });
      for (const c of [category, doomed, sibling]) await store.createChannel(c, null);
      const messages: MessageRecord[] = [];
      for (let i = 0; i < 5; i++) {
        messages.push(
          (await send(store, doomed.id, owner.id, `m${i}`)).message,
        );
      }
      const kept = (await send(store, general.id, owner.id, "kept")).message;
      await store.setReadMarker(owner.id, doomed.id, 4);
      await store.setReadMarker(owner.id, general.id, 1);
      const overwrite: OverwriteRecord = {
        channelId: doomed.id,
        targetId: server.id,
        type: "role",
        allow: [],
        deny: ["view_channel"],
      };
      const keptOverwrite: OverwriteRecord = { ...overwrite, channelId: general.id };
      await store.putOverwrite(overwrite, null);
      await store.putOverwrite(keptOverwrite, null);

      const deletion = audit(server.id, owner.id, "channel_delete", "channel", doomed.id, [
        { key: "name", old: "doomed", new: null },
      ]);
      assert.equal(await store.deleteChannel(doomed.id, deletion), true);
      await assertLatest(store, deletion);
      assert.equal(await store.findChannel(doomed.id), null);
      assert.deepEqual(await store.listMessages(doomed.id, { limit: 100 }), []);
      for (const m of messages) assert.equal(await store.findMessage(m.id), null);
      assert.deepEqual(await store.findMessage(kept.id), kept);
      assert.deepEqual(await store.listMessagesByAuthor(owner.id, { limit: 100 }), [kept]);
      await assert.rejects(send(store, doomed.id, owner.id, "too late"), "no message lands in it");
      await assert.rejects(send(store, doomed.id, owner.id, "too late", server.id));
      assert.deepEqual(await store.readMarkers(owner.id), new Map([[general.id, 1]]));
      assert.deepEqual(await store.listOverwrites(server.id), [keptOverwrite]);
      assert.deepEqual(await store.listChannels(server.id), [general, category, sibling]);
      const [state] = await store.channelStates(owner.id, [server.id]);
      assert.deepEqual(state.channels.map((c) => c.channel.id), [
        general.id,
        category.id,
        sibling.id,
      ]);
      await assertNoEntry(store, server.id, "deleting it again", async () => {
        assert.equal(
          await store.deleteChannel(
            doomed.id,
            audit(server.id, owner.id, "channel_delete", "channel", doomed.id),
          ),
          false,
        );
      });
      // Its name is free again.
      await store.createChannel(channel(server.id, "doomed"), null);

      // A deleted category's channels stay, in no category, and say so wherever they are read.
      assert.equal(await store.deleteChannel(category.id, null), true);
      const moved = { ...sibling, parentId: null };
      assert.deepEqual(await store.findChannel(sibling.id), moved);
      assert.deepEqual((await store.listChannels(server.id)).filter((c) => c.id === sibling.id), [
        moved,
      ]);
      const [after] = await store.channelStates(owner.id, [server.id]);
      assert.deepEqual(after.channels.find((c) => c.channel.id === sibling.id)?.channel, moved);
      assert.equal(await store.findChannel(category.id), null);
    },
  );

  contract(
    "createChannel, createInvite and deleteMessage write their entry with the change",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const random = channel(server.id, "random", { topic: "t" });
      const create = audit(server.id, owner.id, "channel_create", "channel", random.id, [
        { key: "name", old: null, new: "random" },
      ]);
      await store.createChannel(random, create);
      await assertLatest(store, create);
      await assertNoEntry(store, server.id, "a refused channel", async () => {
        const clash = channel(server.id, "random");
        await assert.rejects(
          store.createChannel(
            clash,
            audit(server.id, owner.id, "channel_create", "channel", clash.id),
          ),
          ChannelNameTakenError,
        );
      });

      const code = invite(server, owner.id, { maxUses: 3 });
      const inviteEntry = audit(server.id, owner.id, "invite_create", "invite", code.code);
      await store.createInvite(code, inviteEntry);
      await assertLatest(store, inviteEntry);

      const guest = await seedMember(store, server.id);
      const { message } = await send(store, general.id, guest.user.id, "delete me");
      const removal = audit(
        server.id,
        owner.id,
        "message_delete",
        "message",
        message.id,
        [],
        "off topic",
      );
      assert.equal(await store.deleteMessage(message.id, removal), true);
      await assertLatest(store, removal);
      assert.equal(await store.findMessage(message.id), null);
      await assertNoEntry(store, server.id, "deleting a deleted message", async () => {
        assert.equal(
          await store.deleteMessage(
            message.id,
            audit(server.id, owner.id, "message_delete", "message", message.id),
          ),
          false,
        );
      });
      // Without an entry they still work (the author deleting their own message).
      const own = (await send(store, general.id, guest.user.id, "mine")).message;
      await assertNoEntry(store, server.id, "an unaudited delete", async () => {
        assert.equal(await store.deleteMessage(own.id), true);
        assert.equal(await store.deleteMessage(crypto.randomUUID(), null), false);
      });
      assert.deepEqual((await logOf(store, server.id)).map((e) => e.action), [
        "message_delete",
        "invite_create",
        "channel_create",
      ]);
    },
  );

  contract(
    "listAuditLog: newest first, paged with before, filtered by action and actor",
    async ({ store }) => {
      const { owner, server } = await seedServer(store);
      const mod = await seedMember(store, server.id, "mod");
      const guest = await seedMember(store, server.id, "guest");
      const written: AuditEntryRecord[] = [];
      // A mix of changes by two actors; each audited call writes one entry.
      for (let i = 0; i < 4; i++) {
        const rename = audit(
          server.id,
          i % 2 ? mod.user.id : owner.id,
          "server_update",
          "server",
          server.id,
          [
            { key: "name", old: `n${i}`, new: `n${i + 1}` },
          ],
        );
        await store.updateServer(server.id, { name: `n${i + 1}` }, rename);
        written.push(rename);
        const r = role(server.id, `r${i}`, i + 1);
        const create = audit(
          server.id,
          i % 2 ? owner.id : mod.user.id,
          "role_create",
          "role",
          r.id,
        );
        await store.createRole(r, create);
        written.push(create);
        const timeout = audit(
          server.id,
          mod.user.id,
          "member_timeout",
          "member",
          guest.user.id,
          [],
          `t${i}`,
        );
        await store.setMemberTimeout(server.id, guest.user.id, tick(), timeout);
        written.push(timeout);
      }
      // Another server's log is its own.
      const elsewhere = await seedServer(store, "elsewhere");
      await store.updateServer(
        elsewhere.server.id,
        { name: "x" },
        audit(elsewhere.server.id, owner.id, "server_update", "server", elsewhere.server.id),
      );
      const newestFirst = written.toReversed();
      assert.deepEqual(await logOf(store, server.id), newestFirst);
      assert.equal((await logOf(store, elsewhere.server.id)).length, 1);
      assert.deepEqual(await logOf(store, crypto.randomUUID()), []);

      // Pages of 5, each starting below the last one's oldest entry.
      const pages: AuditEntryRecord[][] = [];
      let before: string | undefined;
      do {
        pages.push(await store.listAuditLog(server.id, { before, limit: 5 }));
        before = pages.at(-1)!.at(-1)?.id;
      } while (pages.at(-1)!.length === 5);
      assert.deepEqual(pages.map((p) => p.length), [5, 5, 2]);
      assert.deepEqual(pages.flat(), newestFirst);
      assert.deepEqual(
        await store.listAuditLog(server.id, { before: written[0].id, limit: 5 }),
        [],
      );

      const only = (f: (e: AuditEntryRecord) => boolean) => newestFirst.filter(f);
      assert.deepEqual(
        await store.listAuditLog(server.id, { action: "role_create", limit: 100 }),
        only((e) => e.action === "role_create"),
      );
      assert.deepEqual(
        await store.listAuditLog(server.id, { actorId: mod.user.id, limit: 100 }),
        only((e) => e.actorId === mod.user.id),
      );
      const modsTimeouts = only((e) => e.actorId === mod.user.id && e.action === "member_timeout");
      assert.deepEqual(
        await store.listAuditLog(server.id, {
          actorId: mod.user.id,
          action: "member_timeout",
          limit: 2,
        }),
        modsTimeouts.slice(0, 2),
      );
      assert.deepEqual(
        await store.listAuditLog(server.id, {
          actorId: mod.user.id,
          action: "member_timeout",
          before: modsTimeouts[1].id,
          limit: 100,
        }),
        modsTimeouts.slice(2),
      );
      assert.deepEqual(
        await store.listAuditLog(server.id, {
          action: "server_update",
          actorId: guest.user.id,
          limit: 100,
        }),
        [],
      );
      assert.deepEqual(
        await store.listAuditLog(server.id, { action: "message_pin", limit: 100 }),
        [],
      );
    },
  );

  contract("audit entries: changes and reasons round-trip as JSON values", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const r = role(server.id, "Mods", 1);
    const changes: AuditChange[] = [
      { key: "name", old: "Mods", new: "Modérateurs 🎉 \"q\" 'q'\nline" },
      { key: "permissions", old: ["view_channel", "send_messages"], new: [] },
      { key: "color", old: null, new: 0xff00ff },
      { key: "mentionable", old: false, new: true },
      { key: "position", old: 1, new: 2.5 },
      { key: "nested", old: { a: [1, { b: "ü" }], c: null }, new: "" },
    ];
    const entry = audit(
      server.id,
      owner.id,
      "role_update",
      "role",
      r.id,
      changes,
      "Ünïcødé reason — ✓",
    );
    await store.createRole(r, null);
    await store.updateRole(server.id, r.id, { name: "Modérateurs" }, entry);
    assert.deepEqual(await logOf(store, server.id), [entry]);
    const bare = audit(server.id, owner.id, "role_update", "role", r.id);
    await store.updateRole(server.id, r.id, { mentionable: false }, bare);
    assert.deepEqual(await logOf(store, server.id), [bare, entry]);
    assert.deepEqual(bare.changes, []);
    assert.equal(bare.reason, null);
  });
}

/** What a store written before issue 14 holds: records without the fields added since. */
export interface LegacyData {
  owner: UserRecord;
  guest: UserRecord;
  /** A server without iconVersion, and no `@everyone` stored for it (KV). */
  server: Omit<ServerRecord, "iconVersion">;
  /** Joined `server` at `guestJoinedAt` (the owner at `server.createdAt`). */
  guestJoinedAt: Date;
  channel: Pick<ChannelRecord, "id" | "serverId" | "name" | "createdAt">;
  invite: Pick<InviteRecord, "code" | "serverId" | "createdBy" | "createdAt">;
}

/** Fresh legacy records to write in the old shape. */
export function legacyData(): LegacyData {
  const user = (name: string): UserRecord => ({
    id: crypto.randomUUID(),
    username: name,
    displayName: name,
    bio: "",
    passwordHash: "$2a$04$hash",
    avatarVersion: null,
    createdAt: new Date("2025-06-01T00:00:00.000Z"),
  });
  const owner = user("oldowner");
  const server = {
    id: crypto.randomUUID(),
    name: "Old server",
    ownerId: owner.id,
    createdAt: new Date("2025-06-02T00:00:00.000Z"),
  };
  return {
    owner,
    guest: user("oldguest"),
    server,
    guestJoinedAt: new Date("2025-06-03T00:00:00.000Z"),
    channel: {
      id: crypto.randomUUID(),
      serverId: server.id,
      name: "general",
      createdAt: new Date("2025-06-02T00:00:00.000Z"),
    },
    invite: {
      code: "oldInvite1",
      serverId: server.id,
      createdBy: owner.id,
      createdAt: new Date("2025-06-04T00:00:00.000Z"),
    },
  };
}

/**
 * Asserts that records stored in the old shape (`data`) read with the defaults of
 * DESIGN.md "Storage rules", and that governance works on them.
 */
export async function assertLegacyDefaults(store: Store, data: LegacyData): Promise<void> {
  const server: ServerRecord = { ...data.server, iconVersion: null };
  const channelNow: ChannelRecord = {
    ...data.channel,
    kind: "text",
    parentId: null,
    topic: "",
    position: 0,
  };
  const inviteNow: InviteRecord = { ...data.invite, expiresAt: null, maxUses: 0, uses: 0 };
  const owner = memberOf(server.id, data.owner.id, server.createdAt);
  const guest = memberOf(server.id, data.guest.id, data.guestJoinedAt);

  assert.deepEqual(await store.findServer(server.id), server);
  assert.deepEqual(await store.listServersOf(data.guest.id), [server]);
  assert.deepEqual(await store.listRoles(server.id), [everyoneOf(server.id)]);
  assert.deepEqual(await store.findChannel(channelNow.id), channelNow);
  assert.deepEqual(await store.listChannels(server.id), [channelNow]);
  const [state] = await store.channelStates(data.guest.id, [server.id]);
  assert.deepEqual(state, { server, channels: [{ channel: channelNow, lastSeq: 0, readSeq: 0 }] });
  assert.deepEqual(await store.findInvite(inviteNow.code), inviteNow);
  assert.deepEqual(await store.listInvites(server.id), [inviteNow]);
  assert.deepEqual(await store.findMember(server.id, data.guest.id), guest);
  assert.deepEqual(await store.listMembers(server.id), [owner, guest]);
  assert.deepEqual(await store.listOverwrites(server.id), []);
  assert.deepEqual(await store.listBans(server.id), []);
  assert.deepEqual(await logOf(store, server.id), []);

  // Governance works on them: @everyone can be edited, members given roles, invites used.
  const everyone = await store.updateRole(
    server.id,
    server.id,
    { permissions: ["view_channel"] },
    null,
  );
  assert.deepEqual(everyone, { ...everyoneOf(server.id), permissions: ["view_channel"] });
  assert.deepEqual(await store.listRoles(server.id), [everyone]);
  const mods = role(server.id, "Mods", 1);
  await store.createRole(mods, null);
  assert.deepEqual(
    await store.setMemberRole(server.id, data.guest.id, mods.id, true, null),
    { ...guest, roleIds: [mods.id] },
  );
  const joiner = await newUser(store, "joiner");
  const now = tick();
  assert.deepEqual(await store.joinByInvite(inviteNow.code, joiner.id, now), {
    status: "joined",
    server,
  });
  assert.deepEqual(await store.findInvite(inviteNow.code), { ...inviteNow, uses: 1 });
  assert.deepEqual(
    await store.updateChannel(channelNow.id, { topic: "now with a topic" }, null),
    { ...channelNow, topic: "now with a topic" },
  );
  assert.deepEqual(
    await store.updateServer(server.id, { name: "Renamed old server" }, null),
    { ...server, name: "Renamed old server" },
  );
  // And so does deleting the old server.
  assert.equal(await store.deleteServer(server.id), true);
  assert.equal(await store.findServer(server.id), null);
  assert.equal(await store.findChannel(channelNow.id), null);
  assert.equal(await store.findInvite(inviteNow.code), null);
  assert.deepEqual(await store.listServersOf(data.guest.id), []);
  assert.deepEqual(await store.listRoles(server.id), []);
  assert.equal(await store.findMember(server.id, data.guest.id), null);
}
