/**
 * Channel overwrites and the permission explanation over HTTP and the socket (API.md
 * "Permissions and roles"), on both stores.
 */
import assert from "node:assert/strict";
import { OVERWRITES_PER_CHANNEL_MAX } from "../lib/limits.ts";
import type { WireChannel } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { assertError, createRole, giveRole, putOverwrite } from "./helpers/governance.ts";
import { type Person, room } from "./helpers/people.ts";

interface Explanation {
  permissions: string[];
  steps: { source: string; allow: string[]; deny: string[] }[];
}

async function newChannel(owner: Person, serverId: string, name: string): Promise<WireChannel> {
  const answer = await owner.http.json<{ channel: WireChannel }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json: { name } },
  );
  assert.equal(answer.status, 201);
  return answer.body.channel;
}

async function channelsSeenBy(person: Person, serverId: string): Promise<WireChannel[]> {
  const answer = await person.http.json<{ channels: WireChannel[] }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.equal(answer.status, 200);
  return answer.body.channels;
}

appTest(
  "PUT overwrites - manage_roles only; bad bodies are 400 naming the problem",
  async (app) => {
    const { serverId, channelId, owner, member, outsider } = await room(app);
    const role = await createRole(owner, serverId, { name: "Muted" });
    const put = (person: Person, targetId: string, json: unknown) =>
      person.http.json("PUT", `/api/channels/${channelId}/overwrites/${targetId}`, { json });
    assertError(
      await put(member, serverId, { type: "role", deny: ["send_messages"] }),
      403,
      "missing_permissions",
    );
    assertError(await put(outsider, serverId, { type: "role", deny: [] }), 404, "not_found");
    assertError(
      await put(owner, serverId, { type: "everyone", allow: [] }),
      400,
      "invalid_overwrite",
    );
    assertError(
      await put(owner, serverId, { type: "role", allow: ["fly"] }),
      400,
      "invalid_permissions",
    );
    assertError(
      await put(owner, serverId, { type: "role", deny: "all" }),
      400,
      "invalid_permissions",
    );
    assertError(
      await put(owner, serverId, { type: "role", allow: ["administrator"] }),
      400,
      "invalid_permissions",
    );
    assertError(
      await put(owner, role.id, {
        type: "role",
        allow: ["send_messages"],
        deny: ["send_messages"],
      }),
      400,
      "invalid_overwrite",
    );
    assertError(
      await put(owner, crypto.randomUUID(), { type: "role", deny: [] }),
      400,
      "invalid_overwrite",
    );
    assertError(
      await put(owner, outsider.id, { type: "member", deny: [] }),
      400,
      "invalid_overwrite",
    );
    assertError(await put(owner, member.id, { type: "role", deny: [] }), 400, "invalid_overwrite");
    assertError(
      await owner.http.json("PUT", `/api/channels/${crypto.randomUUID()}/overwrites/${serverId}`, {
        json: { type: "role" },
      }),
      404,
      "not_found",
    );
    const [channel] = await channelsSeenBy(owner, serverId);
    assert.deepEqual(channel.permissionOverwrites, [], "nothing was stored");
  },
);

appTest(
  "overwrites - denying view_channel hides a channel live; allowing a role shows it again; audited",
  async (app) => {
    const { serverId, owner, member } = await room(app);
    const secret = await newChannel(owner, serverId, "secret");
    const socket = await member.connect();
    const ownerSocket = await owner.connect();
    try {
      await putOverwrite(owner, secret.id, serverId, { type: "role", deny: ["view_channel"] });
      const gone = await socket.next("channel_deleted", (e) => e.channelId === secret.id);
      assert.equal(gone.serverId, serverId);
      const updated = await ownerSocket.next("channel_updated", (e) => e.channel.id === secret.id);
      assert.deepEqual(updated.channel.permissionOverwrites, [
        { id: serverId, type: "role", allow: [], deny: ["view_channel"] },
      ]);
      assert.deepEqual((await channelsSeenBy(member, serverId)).map((c) => c.name), ["general"]);
      const ownerView = (await channelsSeenBy(owner, serverId)).find((c) => c.id === secret.id);
      assert.deepEqual(ownerView?.permissionOverwrites, updated.channel.permissionOverwrites);
      assertError(
        await member.http.json("GET", `/api/channels/${secret.id}/messages`),
        404,
        "not_found",
      );
      assertError(
        await member.http.json("POST", `/api/channels/${secret.id}/messages`, {
          json: { content: "hi" },
        }),
        404,
        "not_found",
      );
      // The same body again changes nothing and records nothing.
      await putOverwrite(owner, secret.id, serverId, { type: "role", deny: ["view_channel"] });
      const store = app.testStore.store;
      const entries = await store.listAuditLog(serverId, { limit: 10, action: "overwrite_update" });
      assert.equal(entries.length, 1);
      assert.equal(entries[0].targetType, "overwrite");
      assert.equal(entries[0].targetId, secret.id);
      assert.deepEqual(entries[0].changes, [
        { key: "id", old: null, new: serverId },
        { key: "type", old: null, new: "role" },
        { key: "allow", old: null, new: [] },
        { key: "deny", old: null, new: ["view_channel"] },
      ]);

      const insiders = await createRole(owner, serverId, { name: "Insiders" });
      await putOverwrite(owner, secret.id, insiders.id, { type: "role", allow: ["view_channel"] });
      await giveRole(owner, serverId, member.id, insiders.id);
      const back = await socket.next("channel_created", (e) => e.channel.id === secret.id);
      assert.equal(back.channel.permissionOverwrites.length, 2);
      assert.ok((await channelsSeenBy(member, serverId)).some((c) => c.id === secret.id));

      const removed = await owner.http.request(
        "DELETE",
        `/api/channels/${secret.id}/overwrites/${insiders.id}`,
      );
      assert.equal(removed.status, 204);
      await socket.next(
        "channel_deleted",
        (e) => e.channelId === secret.id && socket.all("channel_deleted").length === 2,
      );
      const again = await owner.http.request(
        "DELETE",
        `/api/channels/${secret.id}/overwrites/${insiders.id}`,
      );
      assert.equal(again.status, 204, "none there: 204 all the same");
      const deletes = await store.listAuditLog(serverId, { limit: 10, action: "overwrite_delete" });
      assert.equal(deletes.length, 1);
      assert.deepEqual(deletes[0].changes[0], { key: "id", old: insiders.id, new: null });
    } finally {
      await socket.close();
      await ownerSocket.close();
    }
  },
);

appTest(
  "overwrites - a manager sets them only for roles below theirs, and only permissions they hold",
  async (app) => {
    const { serverId, channelId, owner, member } = await room(app);
    const mod = await createRole(owner, serverId, { name: "Mod", permissions: ["manage_roles"] });
    const low = await createRole(owner, serverId, { name: "Low" });
    await giveRole(owner, serverId, member.id, mod.id);
    const put = (targetId: string, json: unknown) =>
      member.http.json("PUT", `/api/channels/${channelId}/overwrites/${targetId}`, { json });
    assert.equal((await put(low.id, { type: "role", deny: ["send_messages"] })).status, 204);
    assertError(
      await put(mod.id, { type: "role", deny: ["send_messages"] }),
      403,
      "role_hierarchy",
    );
    assertError(
      await put(low.id, { type: "role", allow: ["manage_channels"] }),
      403,
      "missing_permissions",
    );
    assert.equal((await put(member.id, { type: "member", allow: ["send_messages"] })).status, 204);
  },
);

appTest("overwrites - at most OVERWRITES_PER_CHANNEL_MAX per channel", async (app) => {
  const { serverId, channelId, owner } = await room(app);
  const { store } = app.testStore;
  for (let i = 0; i < OVERWRITES_PER_CHANNEL_MAX; i++) {
    await store.putOverwrite({
      channelId,
      targetId: crypto.randomUUID(),
      type: "member",
      allow: [],
      deny: ["send_messages"],
    }, null);
  }
  // Written behind the app's back: a restart reads them afresh.
  await app.restart();
  assertError(
    await owner.http.json("PUT", `/api/channels/${channelId}/overwrites/${serverId}`, {
      json: { type: "role", deny: ["send_messages"] },
    }),
    400,
    "too_many_overwrites",
  );
});

appTest(
  "GET permissions - the caller's own steps; someone else's with manage_roles",
  async (app) => {
    const { serverId, channelId, owner, member, outsider } = await room(app);
    const path = (userId?: string) =>
      `/api/channels/${channelId}/permissions${userId ? `?userId=${userId}` : ""}`;
    const own = await member.http.json<Explanation>("GET", path());
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.steps, [{
      source: "@everyone",
      allow: [
        "view_channel",
        "send_messages",
        "read_history",
        "add_reactions",
        "attach_files",
        "create_invites",
      ],
      deny: [],
    }]);
    assert.ok(own.body.permissions.includes("send_messages"));

    const muted = await createRole(owner, serverId, { name: "Muted" });
    await giveRole(owner, serverId, member.id, muted.id);
    await putOverwrite(owner, channelId, muted.id, { type: "role", deny: ["send_messages"] });
    await putOverwrite(owner, channelId, member.id, { type: "member", allow: ["add_reactions"] });
    const explained = await owner.http.json<Explanation>("GET", path(member.id));
    assert.equal(explained.status, 200);
    assert.deepEqual(explained.body.steps.map((s) => s.source), [
      "@everyone",
      'role "Muted"',
      'channel overwrites for role "Muted"',
      "channel overwrite for the member",
    ]);
    assert.deepEqual(explained.body.steps[2].deny, ["send_messages"]);
    assert.ok(!explained.body.permissions.includes("send_messages"));
    assert.deepEqual(
      (await member.http.json<Explanation>("GET", path(member.id))).body,
      explained.body,
      "naming oneself is the same as no userId",
    );

    const ownerSteps = await owner.http.json<Explanation>("GET", path());
    assert.equal(ownerSteps.body.steps[0].source, "server owner: every permission");
    assert.ok(ownerSteps.body.permissions.includes("administrator"));

    assertError(await member.http.json("GET", path(owner.id)), 403, "missing_permissions");
    assertError(await owner.http.json("GET", path(outsider.id)), 404, "not_found");
    assertError(await outsider.http.json("GET", path()), 404, "not_found");
    assertError(
      await member.http.json("GET", `/api/channels/${crypto.randomUUID()}/permissions`),
      404,
      "not_found",
    );
  },
);

appTest(
  "DELETE overwrites - one this instance never heard of (its event lost) is removed all the same",
  async (app) => {
    const { serverId, channelId, owner, member } = await room(app);
    await channelsSeenBy(owner, serverId); // the snapshot is loaded
    // Written to the store directly: no event tells the instance's snapshot about it.
    const store = app.testStore.store;
    await store.putOverwrite(
      { channelId, targetId: member.id, type: "member", allow: [], deny: ["view_channel"] },
      null,
    );
    const removed = await owner.http.json(
      "DELETE",
      `/api/channels/${channelId}/overwrites/${member.id}`,
    );
    assert.equal(removed.status, 204);
    const left = (await store.listOverwrites(serverId)).filter((o) => o.targetId === member.id);
    assert.deepEqual(left, [], "the overwrite is gone from the store");
    assert.ok((await channelsSeenBy(member, serverId)).some((c) => c.id === channelId));
  },
);
