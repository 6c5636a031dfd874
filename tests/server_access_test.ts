/**
 * One server's permission snapshot alone (lib/permissions/server_access.ts): checks, order,
 * hierarchy, time-outs, and `apply` of every governance event (the cache must follow).
 */
import assert from "node:assert/strict";
import type {
  ChannelRecord,
  MemberRecord,
  OverwriteRecord,
  RoleRecord,
  ServerRecord,
} from "../db/store.ts";
import { toWireChannel, toWireRole, toWireServer } from "../lib/chat/shapes.ts";
import {
  ALL_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  toNames,
} from "../lib/permissions/permission_names.ts";
import type { Permission } from "../lib/permissions/permission_names.ts";
import { ServerAccess } from "../lib/permissions/server_access.ts";
import type { WireUser } from "../lib/realtime/protocol.ts";

const S = "s1";
const OWNER = "owner";
const T0 = new Date("2026-01-01T00:00:00Z");

const server: ServerRecord = {
  id: S,
  name: "Salon",
  ownerId: OWNER,
  createdAt: T0,
  iconVersion: null,
};

function roleRecord(id: string, position: number, permissions: Permission[]): RoleRecord {
  return { id, serverId: S, name: id, color: null, position, permissions, mentionable: false };
}

function channelRecord(id: string, patch: Partial<ChannelRecord> = {}): ChannelRecord {
  return {
    id,
    serverId: S,
    name: id,
    createdAt: T0,
    kind: "text",
    parentId: null,
    topic: "",
    position: 0,
    ...patch,
  };
}

function memberRecord(
  userId: string,
  roleIds: string[] = [],
  timeoutUntil: Date | null = null,
): MemberRecord {
  return { serverId: S, userId, joinedAt: T0, roleIds, timeoutUntil };
}

function overwriteRecord(
  channelId: string,
  targetId: string,
  type: "role" | "member",
  allow: Permission[],
  deny: Permission[],
): OverwriteRecord {
  return { channelId, targetId, type, allow, deny };
}

function wireUser(id: string): WireUser {
  return {
    id,
    username: id,
    displayName: id,
    bio: "",
    avatarUrl: `/a/${id}`,
    createdAt: T0.toISOString(),
  };
}

/**
 * The server of these tests: @everyone (defaults), "mod" (3) and "helper" (1); #general open,
 * #staff hidden from @everyone and open to mods, a category "info" with #rules in it.
 */
function snapshot(): ServerAccess {
  return ServerAccess.from({
    server,
    roles: [
      roleRecord("helper", 1, ["kick_members"]),
      roleRecord(S, 0, [...DEFAULT_EVERYONE_PERMISSIONS]),
      roleRecord("mod", 3, ["manage_messages", "kick_members", "moderate_members"]),
    ],
    channels: [
      channelRecord("general", { position: 0 }),
      channelRecord("rules", {
        position: 0,
        parentId: "info",
        createdAt: new Date(T0.getTime() + 5),
      }),
      channelRecord("info", { kind: "category", position: 1 }),
      channelRecord("staff", { position: 0, createdAt: new Date(T0.getTime() + 1) }),
      channelRecord("faq", { position: -1, parentId: "info" }),
    ],
    overwrites: [
      overwriteRecord("staff", S, "role", [], ["view_channel"]),
      overwriteRecord("staff", "mod", "role", ["view_channel"], []),
    ],
    members: [
      memberRecord(OWNER),
      memberRecord("alice", ["mod"]),
      memberRecord("bob", ["helper"]),
      memberRecord("carol"),
    ],
  });
}

Deno.test("ServerAccess - reads: channels in display order, roles by position, members", () => {
  const access = snapshot();
  assert.deepEqual(access.channels().map((c) => c.id), [
    "general",
    "staff",
    "info",
    "faq",
    "rules",
  ]);
  assert.deepEqual(access.roles().map((r) => r.id), [S, "helper", "mod"]);
  assert.equal(access.channel("staff")?.name, "staff");
  assert.equal(access.channel("nope"), undefined);
  assert.deepEqual(access.overwritesOf("staff").map((o) => o.targetId), [S, "mod"]);
  assert.deepEqual(access.overwritesOf("general"), []);
  assert.equal(access.role("mod")?.position, 3);
  assert.equal(access.isMember("carol"), true);
  assert.equal(access.isMember("dave"), false);
  assert.deepEqual(access.memberIds().sort(), ["alice", "bob", "carol", OWNER]);
  assert.equal(access.server.ownerId, OWNER);
});

Deno.test("ServerAccess - permissions: server level, per channel, visible channels", () => {
  const access = snapshot();
  assert.equal(access.serverPermissions(OWNER), ALL_PERMISSIONS);
  assert.deepEqual(toNames(access.serverPermissions("bob")), [
    ...DEFAULT_EVERYONE_PERMISSIONS.slice(0, 5),
    "create_invites",
    "kick_members",
  ]);
  assert.equal(access.serverPermissions("dave"), 0, "a non-member holds nothing");
  assert.equal(access.channelPermissions("dave", "general"), 0);
  assert.equal(access.channelPermissions("alice", "nope"), 0, "an unknown channel: nothing");
  assert.equal(access.canView("carol", "general"), true);
  assert.equal(access.canView("carol", "staff"), false);
  assert.equal(access.canView("alice", "staff"), true, "the mod overwrite allows it back");
  assert.equal(access.canView(OWNER, "staff"), true);
  assert.deepEqual(access.visibleChannels("carol").map((c) => c.id), [
    "general",
    "info",
    "faq",
    "rules",
  ]);
  assert.deepEqual(access.visibleChannels("alice").map((c) => c.id), [
    "general",
    "staff",
    "info",
    "faq",
    "rules",
  ]);
  assert.deepEqual(access.visibleChannels("dave"), []);
});

Deno.test("ServerAccess - explain: the steps, a non-member, an unknown channel, a time-out", () => {
  const access = snapshot();
  const alice = access.explain("alice", "staff", Date.now());
  assert.deepEqual(alice.steps.map((s) => s.source), [
    "@everyone",
    'role "mod"',
    "channel overwrite for @everyone",
    'channel overwrites for role "mod"',
  ]);
  assert.ok(alice.permissions.includes("view_channel"));
  assert.deepEqual(
    access.explain("carol", "staff", Date.now()).permissions.includes("view_channel"),
    false,
  );
  assert.deepEqual(access.explain("dave", "general", 0), {
    permissions: [],
    steps: [{ source: "not a member of the server", allow: [], deny: [] }],
  });
  assert.deepEqual(access.explain("carol", "nope", 0).permissions, []);

  const held = snapshot();
  const until = new Date(T0.getTime() + 60_000);
  held.apply({
    type: "member_updated",
    serverId: S,
    member: {
      user: wireUser("carol"),
      roles: [],
      joinedAt: T0.toISOString(),
      timeoutUntil: until.toISOString(),
    },
  });
  const during = held.explain("carol", "general", T0.getTime());
  assert.equal(during.steps.at(-1)!.source, `timed out until ${until.toISOString()}`);
  assert.equal(during.permissions.includes("send_messages"), false);
  const after = held.explain("carol", "general", until.getTime() + 1);
  assert.equal(after.permissions.includes("send_messages"), true, "the time-out is over");
});

Deno.test("ServerAccess - hierarchy: highest position and who outranks whom", () => {
  const access = snapshot();
  assert.equal(access.highestPosition(OWNER), Infinity);
  assert.equal(access.highestPosition("alice"), 3);
  assert.equal(access.highestPosition("bob"), 1);
  assert.equal(access.highestPosition("carol"), 0, "@everyone only");
  assert.equal(access.highestPosition("dave"), -1, "not a member");
  assert.equal(access.outranks("alice", "bob"), true);
  assert.equal(access.outranks("bob", "alice"), false);
  assert.equal(access.outranks("bob", "carol"), true);
  assert.equal(access.outranks("carol", "carol"), false, "nobody outranks an equal");
  assert.equal(access.outranks(OWNER, "alice"), true, "the owner is above everyone");
  assert.equal(access.outranks("alice", OWNER), false, "nobody is above the owner");
  assert.equal(access.outranks(OWNER, OWNER), false);
  assert.equal(access.outranks("carol", "dave"), true, "a member is above a non-member");
  // A role moving up changes the hierarchy at once.
  access.apply({
    type: "role_updated",
    role: toWireRole(roleRecord("helper", 5, ["kick_members"])),
  });
  assert.equal(access.outranks("bob", "alice"), true);
});

Deno.test("ServerAccess - time-outs: until when, never the owner or an administrator", () => {
  const until = new Date(T0.getTime() + 1000);
  const access = ServerAccess.from({
    server,
    roles: [
      roleRecord(S, 0, [...DEFAULT_EVERYONE_PERMISSIONS]),
      roleRecord("admin", 2, ["administrator"]),
    ],
    channels: [channelRecord("general")],
    overwrites: [],
    members: [
      memberRecord(OWNER, [], until),
      memberRecord("a", ["admin"], until),
      memberRecord("c", [], until),
    ],
  });
  assert.equal(access.isTimedOut("c", T0.getTime()), true);
  assert.equal(access.isTimedOut("c", until.getTime()), false, "over at its end");
  assert.equal(access.isTimedOut("a", T0.getTime()), false);
  assert.equal(access.isTimedOut(OWNER, T0.getTime()), false);
  assert.equal(access.isTimedOut("dave", T0.getTime()), false);
});

Deno.test("ServerAccess - apply: role events change the cached permissions", () => {
  const access = snapshot();
  assert.equal(access.canView("bob", "staff"), false); // cached now
  assert.equal(
    access.apply({
      type: "role_created",
      role: toWireRole(roleRecord("new", 2, ["view_audit_log"])),
    }),
    "all",
  );
  assert.equal(access.role("new")?.name, "new");
  // Only a change of permissions touches the cache; a rename does not.
  const renamed = { ...roleRecord("new", 2, ["view_audit_log"]), name: "renamed" };
  assert.equal(access.apply({ type: "role_updated", role: toWireRole(renamed) }), null);
  assert.equal(access.role("new")?.name, "renamed");

  // The helper role gains administrator: bob sees #staff.
  assert.equal(
    access.apply({
      type: "role_updated",
      role: toWireRole(roleRecord("helper", 1, ["administrator"])),
    }),
    "all",
  );
  assert.equal(access.canView("bob", "staff"), true);
  assert.equal(access.serverPermissions("bob"), ALL_PERMISSIONS);

  // Deleting "mod" takes it from alice and removes its overwrite.
  assert.equal(access.canView("alice", "staff"), true);
  assert.equal(access.apply({ type: "role_deleted", serverId: S, roleId: "mod" }), "all");
  assert.equal(access.role("mod"), undefined);
  assert.deepEqual(access.member("alice")?.roleIds, []);
  assert.deepEqual(access.overwritesOf("staff").map((o) => o.targetId), [S]);
  assert.equal(access.canView("alice", "staff"), false);
  assert.equal(
    access.apply({ type: "role_deleted", serverId: S, roleId: "mod" }),
    null,
    "gone already",
  );
  assert.equal(access.apply({ type: "role_deleted", serverId: "other", roleId: "helper" }), null);
  assert.equal(access.role("helper")?.id, "helper", "another server's event changes nothing");
});

Deno.test("ServerAccess - apply: member events (join, roles, time-out, leave)", () => {
  const access = snapshot();
  assert.equal(access.canView("dave", "general"), false);
  assert.equal(
    access.apply({ type: "member_joined", serverId: S, user: wireUser("dave") }),
    "dave",
  );
  assert.deepEqual(access.member("dave")?.roleIds, []);
  assert.equal(access.canView("dave", "general"), true);
  assert.equal(access.canView("dave", "staff"), false);

  // Given "mod" and a role this snapshot has not heard of yet (its role_created may come after
  // this event from another instance): kept, and counted once it is known.
  const member = {
    user: wireUser("dave"),
    roles: ["mod", "ghost"],
    joinedAt: T0.toISOString(),
    timeoutUntil: null,
  };
  assert.equal(access.apply({ type: "member_updated", serverId: S, member }), "dave");
  assert.deepEqual(access.member("dave")?.roleIds, ["mod", "ghost"]);
  assert.equal(access.canView("dave", "staff"), true);
  assert.equal(access.highestPosition("dave"), access.role("mod")!.position, "ghost: unknown");
  // A repeated join does not reset the roles (events may arrive twice after a reload).
  access.apply({ type: "member_joined", serverId: S, user: wireUser("dave") });
  assert.deepEqual(access.member("dave")?.roleIds, ["mod", "ghost"]);

  assert.equal(
    access.apply({ type: "member_left", serverId: S, user: wireUser("dave"), reason: "kicked" }),
    "dave",
  );
  assert.equal(access.isMember("dave"), false);
  assert.equal(access.canView("dave", "general"), false);
  assert.equal(access.channelPermissions("dave", "general"), 0);
});

Deno.test("ServerAccess - apply: channel events (overwrites live, create, delete)", () => {
  const access = snapshot();
  assert.equal(access.canView("carol", "general"), true);
  // #general gets a member overwrite hiding it from carol: the cached `true` must go.
  const hidden = toWireChannel(channelRecord("general"), [
    overwriteRecord("general", "carol", "member", [], ["view_channel"]),
  ]);
  assert.equal(access.apply({ type: "channel_updated", channel: hidden }), "all");
  assert.equal(access.canView("carol", "general"), false);
  assert.equal(access.canView("bob", "general"), true);
  // Its overwrites removed again (an update carrying none).
  access.apply({
    type: "channel_updated",
    channel: toWireChannel(channelRecord("general", { name: "lobby" })),
  });
  assert.equal(access.canView("carol", "general"), true);
  assert.equal(access.channel("general")?.name, "lobby");
  assert.deepEqual(access.overwritesOf("general"), []);

  const created = toWireChannel(
    channelRecord("new", { position: 5, createdAt: new Date(T0.getTime() + 9) }),
    [
      overwriteRecord("new", S, "role", [], ["view_channel"]),
    ],
  );
  assert.equal(access.apply({ type: "channel_created", channel: created }), "all");
  assert.equal(access.channel("new")?.createdAt.getTime(), T0.getTime() + 9);
  assert.equal(access.channels().at(-1)?.id, "new");
  assert.equal(access.canView("carol", "new"), false);
  assert.equal(access.canView(OWNER, "new"), true);

  assert.equal(access.apply({ type: "channel_deleted", serverId: S, channelId: "staff" }), "all");
  assert.equal(access.channel("staff"), undefined);
  assert.deepEqual(access.overwritesOf("staff"), []);
  assert.equal(access.canView("alice", "staff"), false);
  assert.equal(access.channels().some((c) => c.id === "staff"), false);
});

Deno.test("ServerAccess - apply: an owner transfer, a rename, the server deleted", () => {
  const access = snapshot();
  assert.equal(access.canView("carol", "staff"), false);
  assert.equal(
    access.apply({ type: "server_updated", server: toWireServer({ ...server, name: "Renamed" }) }),
    null,
  );
  assert.equal(access.server.name, "Renamed");
  const transferred = toWireServer({ ...server, ownerId: "carol", iconVersion: "v2" });
  assert.equal(access.apply({ type: "server_updated", server: transferred }), "all");
  assert.equal(access.server.ownerId, "carol");
  assert.equal(access.server.iconVersion, "v2");
  assert.equal(access.canView("carol", "staff"), true, "the new owner sees everything");
  assert.equal(access.outranks(OWNER, "carol"), false, "the old owner is no longer above");
  assert.equal(access.canView(OWNER, "staff"), false);

  assert.equal(access.apply({ type: "server_deleted", serverId: S }), "all");
  assert.equal(access.canView("carol", "general"), false);
  assert.deepEqual(access.memberIds(), []);
  assert.equal(access.apply({ type: "presence", userId: "carol", status: "online" }), null);
});
