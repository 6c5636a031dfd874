/**
 * The pure parts of the governance screens: what the page thinks the reader may do
 * (islands/runtime/permissions.ts, Discord's order as API.md gives it), the sidebar's order
 * and its moves (channel_order.ts), and how events change the page's server state
 * (server_state.ts `reduce`, `gone`).
 */
import assert from "node:assert/strict";
import type { WireChannel, WireMember, WireRole } from "../lib/realtime/protocol.ts";
import {
  groupChannels,
  moveBy,
  orderedChannels,
  placeAt,
} from "../islands/runtime/channel_order.ts";
import {
  channelPermissions,
  highestPosition,
  mayManage,
  outranks,
  serverPermissions,
} from "../islands/runtime/permissions.ts";
import { gone, reduce } from "../islands/runtime/server_state.ts";
import type { ServerState } from "../islands/runtime/server_state.ts";

const SERVER = "s1";
const user = (id: string) => ({
  id,
  username: id,
  displayName: id,
  bio: "",
  avatarUrl: `/a/${id}`,
  createdAt: "2026-01-01T00:00:00.000Z",
});
const member = (id: string, roles: string[] = []): WireMember => ({
  user: user(id),
  roles,
  joinedAt: "2026-01-01T00:00:00.000Z",
  timeoutUntil: null,
});
const role = (id: string, position: number, permissions: string[]): WireRole => ({
  id,
  serverId: SERVER,
  name: id,
  color: null,
  position,
  permissions,
  mentionable: false,
});
const channel = (id: string, extra: Partial<WireChannel> = {}): WireChannel => ({
  id,
  serverId: SERVER,
  name: id,
  createdAt: "2026-01-01T00:00:00.000Z",
  kind: "text",
  parentId: null,
  topic: "",
  position: 0,
  permissionOverwrites: [],
  ...extra,
});

function state(): ServerState {
  return {
    server: {
      id: SERVER,
      name: "Room",
      ownerId: "owner",
      createdAt: "2026-01-01T00:00:00.000Z",
      iconUrl: null,
    },
    channels: [channel("general"), channel("secret")],
    roles: [
      role(SERVER, 0, ["view_channel", "send_messages", "read_history"]),
      role("mods", 2, ["kick_members", "manage_messages"]),
      role("helpers", 1, ["moderate_members"]),
    ],
    members: [
      member("owner"),
      member("mod", ["mods"]),
      member("helper", ["helpers"]),
      member("pleb"),
    ],
    meId: "pleb",
    channelId: "general",
  };
}

Deno.test("permissions - owner all, roles' union, administrator all", () => {
  const s = state();
  assert.ok(serverPermissions(s, "owner").has("administrator"));
  assert.deepEqual(
    [...serverPermissions(s, "mod")].sort(),
    ["kick_members", "manage_messages", "read_history", "send_messages", "view_channel"],
  );
  assert.equal(serverPermissions(s, "stranger").size, 0);
  s.roles.push(role("admins", 3, ["administrator"]));
  s.members.push(member("admin", ["admins"]));
  assert.ok(serverPermissions(s, "admin").has("ban_members"));
  assert.equal(mayManage(s, "pleb"), false);
  assert.equal(mayManage(s, "mod"), true);
  assert.equal(mayManage(s, "helper"), false, "time-outs alone open no settings");
});

Deno.test("permissions - overwrites in Discord's order: @everyone, roles, the member", () => {
  const s = state();
  const secret = channel("secret", {
    permissionOverwrites: [
      { id: SERVER, type: "role", allow: [], deny: ["view_channel"] },
      { id: "mods", type: "role", allow: ["view_channel"], deny: [] },
      { id: "mod", type: "member", allow: [], deny: ["send_messages"] },
    ],
  });
  assert.equal(channelPermissions(s, "pleb", secret).has("view_channel"), false);
  assert.equal(channelPermissions(s, "mod", secret).has("view_channel"), true);
  assert.equal(channelPermissions(s, "mod", secret).has("send_messages"), false);
  assert.equal(channelPermissions(s, "owner", secret).has("send_messages"), true);
});

Deno.test("permissions - hierarchy: the owner above all, never above the owner", () => {
  const s = state();
  assert.equal(highestPosition(s, "owner"), Infinity);
  assert.equal(highestPosition(s, "mod"), 2);
  assert.equal(highestPosition(s, "pleb"), 0);
  assert.ok(outranks(s, "mod", "helper"));
  assert.ok(!outranks(s, "helper", "mod"));
  assert.ok(!outranks(s, "mod", "owner"));
  assert.ok(!outranks(s, "mod", "mod"));
  assert.ok(outranks(s, "owner", "mod"));
});

Deno.test("channel order - channels first, then categories with theirs, by position", () => {
  const channels = [
    channel("b", { position: 1 }),
    channel("cat", { kind: "category", position: 0 }),
    channel("inside", { parentId: "cat" }),
    channel("a", { position: 0 }),
    channel("orphan", { parentId: "deleted-category", position: 5 }),
  ];
  assert.deepEqual(
    groupChannels(channels).map((g) => [g.category?.id ?? null, g.channels.map((c) => c.id)]),
    [[null, ["a", "b", "orphan"]], ["cat", ["inside"]]],
  );
  assert.deepEqual(orderedChannels(channels).map((c) => c.id), ["a", "b", "orphan", "inside"]);
  const [a, b] = [channels[3], channels[0]];
  assert.deepEqual(moveBy(channels, b, -1), [{ id: "b", position: 0 }]);
  assert.deepEqual(moveBy(channels, a, -1), [], "already at the top");
  assert.deepEqual(placeAt(channels, a, "cat", 0), [{ id: "a", position: 0, parentId: "cat" }]);
  assert.deepEqual(placeAt(channels, a, null, 0), [], "already there");
});

Deno.test("server state - events update it; losing the server or the channel sets gone", () => {
  gone.value = null;
  let s = state();
  s = reduce(s, { type: "role_updated", role: role("mods", 2, ["ban_members"]) });
  assert.deepEqual(s.roles.find((r) => r.id === "mods")?.permissions, ["ban_members"]);
  s = reduce(s, { type: "member_updated", serverId: SERVER, member: member("pleb", ["mods"]) });
  assert.ok(serverPermissions(s, "pleb").has("ban_members"));
  s = reduce(s, { type: "role_deleted", serverId: SERVER, roleId: "mods" });
  assert.deepEqual(s.members.find((m) => m.user.id === "pleb")?.roles, []);
  const other = reduce(s, { type: "server_updated", server: { ...s.server, id: "other" } });
  assert.equal(other, s, "another server's event changes nothing");
  s = reduce(s, { type: "channel_deleted", serverId: SERVER, channelId: "secret" });
  assert.equal(gone.value, null, "another channel than the open one");
  s = reduce(s, { type: "channel_deleted", serverId: SERVER, channelId: "general" });
  assert.deepEqual(gone.value, { kind: "channel", name: "general", next: undefined });
  s = reduce(s, { type: "member_left", serverId: SERVER, user: user("pleb"), reason: "kicked" });
  assert.deepEqual(gone.value, { kind: "server", name: "Room", reason: "kicked" });
  assert.equal(s.members.some((m) => m.user.id === "pleb"), false);
  gone.value = null;
});
