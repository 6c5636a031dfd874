/**
 * Roles over HTTP (API.md "Permissions and roles" and Precisions): listing, creating, editing,
 * deleting, giving and taking, with the hierarchy, the audit log and the live events, on both
 * stores.
 */
import assert from "node:assert/strict";
import { DEFAULT_EVERYONE_PERMISSIONS } from "../lib/permissions/permission_names.ts";
import { ROLES_PER_SERVER_MAX } from "../lib/limits.ts";
import type { WireMember, WireRole } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { assertError, createRole, giveRole, listRoles } from "./helpers/governance.ts";
import { register, room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

/** The server's audit entries of one action, newest first. */
function auditOf(app: TestApp, serverId: string, action: string) {
  return app.testStore.store.listAuditLog(serverId, { limit: 100, action });
}

appTest("GET roles - members see @everyone with the defaults; outsiders get 404", async (app) => {
  const { serverId, member, outsider } = await room(app);
  const roles = await listRoles(member, serverId);
  assert.deepEqual(roles, [{
    id: serverId,
    serverId,
    name: "@everyone",
    color: null,
    position: 0,
    permissions: [...DEFAULT_EVERYONE_PERMISSIONS],
    mentionable: false,
  }]);
  assertError(await outsider.http.json("GET", `/api/servers/${serverId}/roles`), 404, "not_found");
  const detail = await member.http.json<{ roles: WireRole[] }>("GET", `/api/servers/${serverId}`);
  assert.deepEqual(detail.body.roles, roles);
});

appTest(
  "POST roles - manage_roles only; new roles start at the bottom; audited and published",
  async (app) => {
    const { serverId, owner, member, outsider } = await room(app);
    const socket = await member.connect();
    try {
      assertError(
        await member.http.json("POST", `/api/servers/${serverId}/roles`, { json: { name: "x" } }),
        403,
        "missing_permissions",
      );
      assertError(
        await outsider.http.json("POST", `/api/servers/${serverId}/roles`, { json: { name: "x" } }),
        404,
        "not_found",
      );
      const mods = await createRole(owner, serverId, {
        name: "  Mods ",
        permissions: ["manage_messages", "kick_members", "manage_messages"],
        color: 0xff0000,
        mentionable: true,
      });
      assert.deepEqual(
        { ...mods, id: undefined },
        {
          id: undefined,
          serverId,
          name: "Mods",
          color: 0xff0000,
          position: 1,
          permissions: ["manage_messages", "kick_members"],
          mentionable: true,
        },
      );
      const helpers = await createRole(owner, serverId, { name: "Helpers" });
      assert.equal(helpers.position, 1);
      assert.deepEqual(helpers.permissions, []);
      assert.equal(helpers.color, null);
      const roles = await listRoles(owner, serverId);
      assert.deepEqual(roles.map((r) => [r.name, r.position]), [
        ["@everyone", 0],
        ["Helpers", 1],
        ["Mods", 2],
      ]);
      const created = await socket.next("role_created", (e) => e.role.id === helpers.id);
      assert.equal(created.role.name, "Helpers");
      const moved = await socket.next("role_updated", (e) => e.role.id === mods.id);
      assert.equal(moved.role.position, 2);
      const entries = await auditOf(app, serverId, "role_create");
      assert.deepEqual(entries.map((e) => e.targetId).sort(), [helpers.id, mods.id].sort());
      const ofMods = entries.find((e) => e.targetId === mods.id)!;
      assert.equal(ofMods.actorId, owner.id);
      assert.equal(ofMods.targetType, "role");
      assert.deepEqual(ofMods.changes.find((c) => c.key === "name"), {
        key: "name",
        old: null,
        new: "Mods",
      });
    } finally {
      await socket.close();
    }
  },
);

appTest("POST roles - bad fields are 400 with a code naming the field", async (app) => {
  const { serverId, owner } = await room(app);
  const cases: [Record<string, unknown>, string][] = [
    [{}, "invalid_role_name"],
    [{ name: "" }, "invalid_role_name"],
    [{ name: "x".repeat(101) }, "invalid_role_name"],
    [{ name: "a\nb" }, "invalid_role_name"],
    [{ name: 7 }, "invalid_role_name"],
    [{ name: "r", permissions: ["fly"] }, "invalid_permissions"],
    [{ name: "r", permissions: "send_messages" }, "invalid_permissions"],
    [{ name: "r", color: -1 }, "invalid_color"],
    [{ name: "r", color: 0x1000000 }, "invalid_color"],
    [{ name: "r", color: 1.5 }, "invalid_color"],
    [{ name: "r", mentionable: "yes" }, "invalid_mentionable"],
  ];
  for (const [json, code] of cases) {
    const answer = await owner.http.json("POST", `/api/servers/${serverId}/roles`, { json });
    assertError(answer, 400, code);
  }
  assert.equal((await listRoles(owner, serverId)).length, 1, "nothing was created");
});

appTest(
  "PATCH roles - fields change, @everyone keeps its name and position, no-ops write nothing",
  async (app) => {
    const { serverId, owner, member } = await room(app);
    const mods = await createRole(owner, serverId, { name: "Mods" });
    const helpers = await createRole(owner, serverId, { name: "Helpers" });
    const patch = (roleId: string, json: Record<string, unknown>) =>
      owner.http.json<{ role: WireRole }>("PATCH", `/api/servers/${serverId}/roles/${roleId}`, {
        json,
      });
    const renamed = await patch(mods.id, { name: "Moderators", color: 0x00ff00 });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.role.name, "Moderators");
    assert.equal(renamed.body.role.color, 0x00ff00);
    const [entry] = await auditOf(app, serverId, "role_update");
    assert.deepEqual(entry.changes, [
      { key: "name", old: "Mods", new: "Moderators" },
      { key: "color", old: null, new: 0x00ff00 },
    ]);
    assert.equal((await patch(mods.id, { name: "Moderators" })).status, 200);
    assert.equal((await auditOf(app, serverId, "role_update")).length, 1, "unchanged: no entry");

    const moved = await patch(helpers.id, { position: 2 });
    assert.equal(moved.body.role.position, 2);
    assert.deepEqual((await listRoles(member, serverId)).map((r) => [r.name, r.position]), [
      ["@everyone", 0],
      ["Moderators", 1],
      ["Helpers", 2],
    ]);
    assert.equal((await patch(helpers.id, { position: 99 })).body.role.position, 2, "clamped");

    assertError(await patch(serverId, { name: "everyone" }), 400, "invalid_role_name");
    assertError(await patch(serverId, { position: 1 }), 400, "invalid_position");
    assertError(await patch(mods.id, { position: 0 }), 400, "invalid_position");
    assertError(await patch(mods.id, { permissions: ["nope"] }), 400, "invalid_permissions");
    const everyone = await patch(serverId, { permissions: ["view_channel"], mentionable: true });
    assert.equal(everyone.status, 200);
    assert.deepEqual(everyone.body.role.permissions, ["view_channel"]);
    assert.equal(everyone.body.role.name, "@everyone");
    assertError(
      await patch(crypto.randomUUID(), { name: "x" }),
      404,
      "not_found",
    );
    assertError(
      await member.http.json("PATCH", `/api/servers/${serverId}/roles/${mods.id}`, {
        json: { name: "mine" },
      }),
      403,
      "missing_permissions",
    );
  },
);

appTest("DELETE roles - never @everyone; holders lose it; audited and published", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const mods = await createRole(owner, serverId, { name: "Mods", permissions: ["kick_members"] });
  await giveRole(owner, serverId, member.id, mods.id);
  const socket = await member.connect();
  try {
    assertError(
      await owner.http.json("DELETE", `/api/servers/${serverId}/roles/${serverId}`),
      400,
      "cannot_delete_default_role",
    );
    const gone = await owner.http.request("DELETE", `/api/servers/${serverId}/roles/${mods.id}`);
    assert.equal(gone.status, 204);
    const event = await socket.next("role_deleted");
    assert.deepEqual(event, { type: "role_deleted", serverId, roleId: mods.id });
    assert.deepEqual((await listRoles(owner, serverId)).map((r) => r.name), ["@everyone"]);
    const detail = await owner.http.json<{ members: WireMember[] }>(
      "GET",
      `/api/servers/${serverId}`,
    );
    assert.deepEqual(detail.body.members.find((m) => m.user.id === member.id)?.roles, []);
    const [entry] = await auditOf(app, serverId, "role_delete");
    assert.equal(entry.targetId, mods.id);
    assert.deepEqual(entry.changes.find((c) => c.key === "name"), {
      key: "name",
      old: "Mods",
      new: null,
    });
    assertError(
      await owner.http.json("DELETE", `/api/servers/${serverId}/roles/${mods.id}`),
      404,
      "not_found",
    );
    // The member's permissions follow at once: kick_members is gone.
    const explained = await member.http.json<{ permissions: string[] }>(
      "GET",
      `/api/channels/${channelId}/permissions`,
    );
    assert.ok(!explained.body.permissions.includes("kick_members"));
  } finally {
    await socket.close();
  }
});

appTest(
  "member roles - give and take: 204, member_updated, audited once per change",
  async (app) => {
    const { serverId, owner, member, outsider } = await room(app);
    const mods = await createRole(owner, serverId, { name: "Mods" });
    const socket = await owner.connect();
    const path = (userId: string, roleId: string) =>
      `/api/servers/${serverId}/members/${userId}/roles/${roleId}`;
    try {
      await giveRole(owner, serverId, member.id, mods.id);
      const updated = await socket.next("member_updated", (e) => e.member.roles.length === 1);
      assert.equal(updated.serverId, serverId);
      assert.equal(updated.member.user.id, member.id);
      assert.deepEqual(updated.member.roles, [mods.id]);
      await giveRole(owner, serverId, member.id, mods.id);
      const added = await auditOf(app, serverId, "member_role_add");
      assert.equal(added.length, 1, "giving it again changes nothing");
      assert.equal(added[0].targetType, "member");
      assert.equal(added[0].targetId, member.id);
      assert.deepEqual(added[0].changes, [{ key: "roles", old: [], new: [mods.id] }]);

      const detail = await member.http.json<{ members: WireMember[] }>(
        "GET",
        `/api/servers/${serverId}`,
      );
      assert.deepEqual(detail.body.members.find((m) => m.user.id === member.id)?.roles, [mods.id]);

      assert.equal((await owner.http.request("DELETE", path(member.id, mods.id))).status, 204);
      await socket.next("member_updated", (e) => e.member.roles.length === 0);
      assert.equal((await owner.http.request("DELETE", path(member.id, mods.id))).status, 204);
      const removed = await auditOf(app, serverId, "member_role_remove");
      assert.equal(removed.length, 1);
      assert.deepEqual(removed[0].changes, [{ key: "roles", old: [mods.id], new: [] }]);

      assertError(await owner.http.json("PUT", path(outsider.id, mods.id)), 404, "not_found");
      assertError(
        await owner.http.json("PUT", path(member.id, crypto.randomUUID())),
        404,
        "not_found",
      );
      assertError(
        await owner.http.json("PUT", path(member.id, serverId)),
        400,
        "cannot_assign_default_role",
      );
      assertError(
        await member.http.json("PUT", path(member.id, mods.id)),
        403,
        "missing_permissions",
      );
      assertError(await outsider.http.json("PUT", path(member.id, mods.id)), 404, "not_found");
    } finally {
      await socket.close();
    }
  },
);

appTest(
  "hierarchy - a manager acts only on roles below their highest, grants only what they hold",
  async (app) => {
    const { serverId, owner, member, outsider } = await room(app);
    const mod = await createRole(owner, serverId, {
      name: "Mod",
      permissions: ["manage_roles", "manage_messages"],
    });
    const low = await createRole(owner, serverId, { name: "Low" });
    // Low 1, Mod 2.
    await giveRole(owner, serverId, member.id, mod.id);
    const invite = await owner.http.json<{ code: string }>(
      "POST",
      `/api/servers/${serverId}/invites`,
    );
    await outsider.http.json("POST", `/api/invites/${invite.body.code}/join`);
    const third = outsider;

    // A new role lands below the manager; only permissions they hold may go in it.
    const sub = await createRole(member, serverId, {
      name: "Sub",
      permissions: ["manage_messages"],
    });
    assert.equal(sub.position, 1);
    assertError(
      await member.http.json("POST", `/api/servers/${serverId}/roles`, {
        json: { name: "Bans", permissions: ["ban_members"] },
      }),
      403,
      "missing_permissions",
    );
    const patch = (roleId: string, json: Record<string, unknown>) =>
      member.http.json("PATCH", `/api/servers/${serverId}/roles/${roleId}`, { json });
    // Sub 1, Low 2, Mod 3: the member's highest is 3.
    assertError(await patch(mod.id, { name: "Boss" }), 403, "role_hierarchy");
    assertError(await patch(low.id, { position: 3 }), 403, "role_hierarchy");
    assertError(await patch(low.id, { permissions: ["ban_members"] }), 403, "missing_permissions");
    assert.equal(
      (await patch(low.id, { name: "Lower", permissions: ["manage_messages"] })).status,
      200,
    );
    const give = (roleId: string) =>
      member.http.request("PUT", `/api/servers/${serverId}/members/${third.id}/roles/${roleId}`);
    const refused = await give(mod.id);
    assert.equal(refused.status, 403);
    assert.equal(
      ((await refused.json()) as { error: { code: string } }).error.code,
      "role_hierarchy",
    );
    assert.equal((await give(low.id)).status, 204);
    assertError(
      await member.http.json("DELETE", `/api/servers/${serverId}/roles/${mod.id}`),
      403,
      "role_hierarchy",
    );
    assert.equal(
      (await member.http.request("DELETE", `/api/servers/${serverId}/roles/${sub.id}`)).status,
      204,
    );
    // The owner is above every role.
    assert.equal(
      (await owner.http.json("PATCH", `/api/servers/${serverId}/roles/${mod.id}`, {
        json: { permissions: ["manage_roles", "ban_members"] },
      })).status,
      200,
    );
    // An administrator may grant anything, but still only below their highest role.
    const admin = await createRole(owner, serverId, {
      name: "Admin",
      permissions: ["administrator"],
    });
    await giveRole(owner, serverId, third.id, admin.id);
    const top = await owner.http.json<{ role: WireRole }>(
      "PATCH",
      `/api/servers/${serverId}/roles/${admin.id}`,
      { json: { position: 10 } },
    );
    assert.equal(top.body.role.position, 3);
    const byAdmin = await third.http.json<{ role: WireRole }>(
      "POST",
      `/api/servers/${serverId}/roles`,
      { json: { name: "Bans", permissions: ["ban_members"] } },
    );
    assert.equal(byAdmin.status, 201);
    assertError(
      await third.http.json("PATCH", `/api/servers/${serverId}/roles/${admin.id}`, {
        json: { name: "x" },
      }),
      403,
      "role_hierarchy",
    );
  },
);

appTest(
  "hierarchy - with manage_roles from @everyone alone there is nothing below you",
  async (app) => {
    const { serverId, owner, member } = await room(app);
    await owner.http.json("PATCH", `/api/servers/${serverId}/roles/${serverId}`, {
      json: { permissions: ["view_channel", "manage_roles"] },
    });
    assertError(
      await member.http.json("POST", `/api/servers/${serverId}/roles`, { json: { name: "x" } }),
      403,
      "role_hierarchy",
    );
    assertError(
      await member.http.json("PATCH", `/api/servers/${serverId}/roles/${serverId}`, {
        json: { permissions: [] },
      }),
      403,
      "role_hierarchy",
    );
  },
);

appTest("POST roles - at most ROLES_PER_SERVER_MAX, @everyone included", async (app) => {
  const owner = await register(app, "owner");
  const created = await owner.http.json<{ server: { id: string } }>("POST", "/api/servers", {
    json: { name: "Full" },
  });
  const serverId = created.body.server.id;
  const { store } = app.testStore;
  for (let i = 1; i < ROLES_PER_SERVER_MAX; i++) {
    await store.createRole({
      id: crypto.randomUUID(),
      serverId,
      name: `r${i}`,
      color: null,
      position: i,
      permissions: [],
      mentionable: false,
    }, null);
  }
  // Roles written behind the app's back: a restart reads them afresh.
  await app.restart();
  assertError(
    await owner.http.json("POST", `/api/servers/${serverId}/roles`, { json: { name: "one more" } }),
    400,
    "too_many_roles",
  );
});
