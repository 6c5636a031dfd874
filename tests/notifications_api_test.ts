/**
 * The notification and push endpoints through the real app on both stores (API.md
 * "Notifications"): settings per server, channel and DM with their validation and 404s, the
 * VAPID key (made once and kept in the store), and subscribing and unsubscribing.
 */
import assert from "node:assert/strict";
import { fromBase64url } from "../lib/notifications/base64url.ts";
import { PUSH_SUBSCRIPTIONS_PER_USER_MAX } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { assertError } from "./helpers/governance.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { room } from "./helpers/people.ts";
import { PushReceiver } from "./push_receiver.ts";

appTest("notifications api - settings: put, list, clear, validation, 404s", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const list = async () =>
    (await member.http.json<{ settings: unknown[] }>("GET", "/api/me/notifications")).body
      .settings;
  assert.deepEqual(await list(), []);
  const put = (targetId: string, json: unknown, who = member) =>
    who.http.json("PUT", `/api/me/notifications/${targetId}`, { json });

  const until = new Date(Date.now() + 3600_000).toISOString();
  assert.equal((await put(serverId, { level: "mentions" })).status, 204);
  assert.equal((await put(channelId, { level: "all", muteUntil: until })).status, 204);
  const settings = await list();
  assert.equal(settings.length, 2);
  assert.deepEqual(
    new Set(settings.map((s) => JSON.stringify(s))),
    new Set([
      JSON.stringify({ targetId: serverId, level: "mentions", muteUntil: null }),
      JSON.stringify({ targetId: channelId, level: "all", muteUntil: until }),
    ]),
  );
  // Back to default with no mute: nothing left to list.
  assert.equal((await put(serverId, { level: "default" })).status, 204);
  assert.equal((await put(channelId, { level: "default", muteUntil: null })).status, 204);
  assert.deepEqual(await list(), []);
  // A mute that ended reads as none.
  const past = new Date(Date.now() - 1000).toISOString();
  assert.equal((await put(channelId, { level: "none", muteUntil: past })).status, 204);
  assert.deepEqual(await list(), [{ targetId: channelId, level: "none", muteUntil: null }]);

  assertError(await put(serverId, { level: "loud" }), 400, "invalid_level");
  assertError(await put(serverId, {}), 400, "invalid_level");
  assertError(await put(serverId, { level: "all", muteUntil: "soon" }), 400, "invalid_mute_until");
  assertError(await put(serverId, { level: "all", muteUntil: 5 }), 400, "invalid_mute_until");
  // Years JavaScript takes and PostgreSQL refuses (a 500 there once).
  for (const muteUntil of ["0000-01-01T00:00:00Z", "-000001-01-01T00:00:00Z"]) {
    assertError(await put(serverId, { level: "none", muteUntil }), 400, "invalid_mute_until");
  }
  const wrongType = await member.http.json("PUT", `/api/me/notifications/${serverId}`, {
    body: "level=all",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.equal(wrongType.status, 415);
  // Not the outsider's server or channel; nothing of that id at all.
  assertError(await put(serverId, { level: "all" }, outsider), 404, "not_found");
  assertError(await put(channelId, { level: "all" }, outsider), 404, "not_found");
  assertError(await put(crypto.randomUUID(), { level: "all" }), 404, "not_found");
  // A DM the caller is in, and not one they are not in.
  const dm = await owner.http.json<{ channel: { id: string } }>("POST", "/api/dms", {
    json: { userIds: [member.id] },
  });
  assert.equal((await put(dm.body.channel.id, { level: "none" })).status, 204);
  assertError(await put(dm.body.channel.id, { level: "none" }, outsider), 404, "not_found");

  const anonymous = new HttpClient(app.url);
  assert.equal((await anonymous.json("GET", "/api/me/notifications")).status, 401);
  assert.equal((await anonymous.json("GET", "/api/push/key")).status, 401);
});

appTest("notifications api - the VAPID key is made once and kept in the store", async (app) => {
  const { member } = await room(app);
  const first = await member.http.json<{ publicKey: string }>("GET", "/api/push/key");
  assert.equal(first.status, 200);
  const point = fromBase64url(first.body.publicKey);
  assert.equal(point?.length, 65);
  assert.equal(point?.[0], 4);
  assert.ok(!first.body.publicKey.includes("="));
  await app.restart();
  const again = await member.http.json<{ publicKey: string }>("GET", "/api/push/key");
  assert.equal(again.body.publicKey, first.body.publicKey);
});

appTest(
  "notifications api - subscriptions: 201, keys checked, delete, the oldest go",
  async (app) => {
    const { member, owner } = await room(app);
    const key = await member.http.json<{ publicKey: string }>("GET", "/api/push/key");
    const receiver = PushReceiver.start(key.body.publicKey);
    try {
      const subscription = await receiver.subscribe();
      const post = (json: unknown, who = member) =>
        who.http.json("POST", "/api/push/subscriptions", { json });
      assert.equal((await post(subscription)).status, 201);
      // Subscribing again is the same subscription.
      assert.equal((await post(subscription)).status, 201);
      const store = app.testStore.store;
      assert.equal((await store.listPushSubscriptions([member.id])).length, 1);

      assertError(await post({ endpoint: subscription.endpoint }), 400, "invalid_subscription");
      assertError(
        await post({ endpoint: subscription.endpoint, keys: { p256dh: "AAAA", auth: "AAAA" } }),
        400,
        "invalid_subscription",
      );
      assertError(await post({ keys: subscription.keys }), 400, "invalid_subscription");
      // Counted as stored (ASCII, percent-encoded): 2,000 CJK characters are 18,000 (a 500 on
      // PostgreSQL once, whose key took the raw 6 KB).
      assertError(
        await post({
          endpoint: `https://push.example.com/${"推".repeat(2000)}`,
          keys: subscription.keys,
        }),
        400,
        "invalid_subscription",
      );
      assertError(
        await post({ endpoint: "ftp://example.com/x", keys: subscription.keys }),
        400,
        "endpoint_not_allowed",
      );

      // Another user subscribing the same endpoint (same browser) takes it over.
      assert.equal((await post(subscription, owner)).status, 201);
      assert.equal((await store.listPushSubscriptions([member.id])).length, 0);
      assert.equal((await store.listPushSubscriptions([owner.id])).length, 1);
      // Only one's own is deleted; deleting what is not there is fine.
      const del = (who = member) =>
        who.http.json("DELETE", "/api/push/subscriptions", {
          json: { endpoint: subscription.endpoint },
        });
      assert.equal((await del()).status, 204);
      assert.equal((await store.listPushSubscriptions([owner.id])).length, 1);
      assert.equal((await del(owner)).status, 204);
      assert.equal((await store.listPushSubscriptions([owner.id])).length, 0);
      assertError(
        await member.http.json("DELETE", "/api/push/subscriptions", { json: {} }),
        400,
        "invalid_subscription",
      );

      // Past the bound, the oldest go.
      const made = [];
      for (let i = 0; i < PUSH_SUBSCRIPTIONS_PER_USER_MAX + 2; i++) {
        const next = await receiver.subscribe();
        made.push(next.endpoint);
        assert.equal((await post(next)).status, 201);
      }
      const kept = (await store.listPushSubscriptions([member.id])).map((s) => s.endpoint);
      assert.equal(kept.length, PUSH_SUBSCRIPTIONS_PER_USER_MAX);
      assert.ok(!kept.includes(made[0]) && !kept.includes(made[1]));
      assert.ok(kept.includes(made[made.length - 1]));
    } finally {
      await receiver.close();
    }
  },
  { PUSH_ALLOW_LOOPBACK: "1" },
);

appTest("notifications api - push is off in production without VAPID keys", async (app) => {
  const { member } = await room(app);
  assertError(await member.http.json("GET", "/api/push/key"), 404, "push_unavailable");
  assertError(
    await member.http.json("POST", "/api/push/subscriptions", {
      json: { endpoint: "https://push.example.com/x", keys: { p256dh: "x", auth: "y" } },
    }),
    404,
    "push_unavailable",
  );
}, { DENO_ENV: "production", JWT_SECRET: "a-test-secret-of-at-least-32-characters!!" });
