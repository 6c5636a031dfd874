/**
 * Web Push end to end on both stores, through a push service of our own on loopback
 * (tests/push_receiver.ts: it decrypts each push with the subscription's key and verifies the
 * VAPID JWT against GET /api/push/key). Absence is asserted after `notifications.settled()`
 * (every message decided, every push answered), never after a sleep.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { say } from "./helpers/conversations.ts";
import { assertError } from "./helpers/governance.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { PushReceiver } from "./push_receiver.ts";
import type { TestSubscription } from "./push_receiver.ts";
import { BACKENDS, needs } from "./helpers/backends.ts";
import { startTestApp } from "./helpers/test_app.ts";
import { eventually } from "./helpers/wait.ts";

const LOOPBACK = { PUSH_ALLOW_LOOPBACK: "1" };

async function receiverFor(person: Person): Promise<PushReceiver> {
  const key = await person.http.json<{ publicKey: string }>("GET", "/api/push/key");
  assert.equal(key.status, 200);
  return PushReceiver.start(key.body.publicKey);
}

async function subscribe(person: Person, subscription: TestSubscription): Promise<void> {
  const answer = await person.http.json("POST", "/api/push/subscriptions", {
    json: { endpoint: subscription.endpoint, keys: subscription.keys },
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
}

async function setLevel(person: Person, targetId: string, body: Record<string, unknown>) {
  const answer = await person.http.json("PUT", `/api/me/notifications/${targetId}`, { json: body });
  assert.equal(answer.status, 204, JSON.stringify(answer.body));
}

/** Sends a message and waits until its notifications are decided and sent. */
async function sayAndSettle(app: TestApp, person: Person, channelId: string, content: string) {
  const message = await say(person, channelId, content);
  await app.notifications.settled();
  return message;
}

appTest("push - a mention pushes to an offline member: decrypted, VAPID-signed", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const receiver = await receiverFor(member);
  try {
    const subscription = await receiver.subscribe();
    await subscribe(member, subscription);
    // Not mentioned, default level: nothing.
    await sayAndSettle(app, owner, channelId, "just chatting");
    assert.equal(receiver.received.length, 0);
    const message = await sayAndSettle(app, owner, channelId, "hello @member, look");
    assert.deepEqual(receiver.errors, []);
    assert.equal(receiver.received.length, 1);
    const [push] = receiver.received;
    assert.equal(push.subscriptionId, subscription.id);
    assert.equal(push.urgency, "high");
    assert.deepEqual(push.payload, {
      title: "owner (#general, Room)",
      body: "hello @member, look",
      url: `/chat/${serverId}/${channelId}?m=${message.seq}`,
      channelId,
      messageId: message.id,
    });
    // The author is never notified of their own mention.
    const own = await receiver.subscribe();
    await subscribe(owner, own);
    await sayAndSettle(app, owner, channelId, "note to self @owner");
    assert.equal(receiver.to(own.id).length, 0);
  } finally {
    await receiver.close();
  }
}, LOOPBACK);

appTest("push - nothing while a page is in sight; a hidden page gets it", async (app) => {
  const { channelId, owner, member } = await room(app);
  const receiver = await receiverFor(member);
  try {
    await subscribe(member, await receiver.subscribe());
    const ws = await member.connect();
    // A raw socket counts as a visible page.
    await sayAndSettle(app, owner, channelId, "@member are you there?");
    assert.equal(receiver.received.length, 0);
    ws.send({ type: "visibility", visible: false });
    ws.send({ type: "ping" });
    await ws.next("pong");
    await sayAndSettle(app, owner, channelId, "@member now?");
    assert.equal(receiver.received.length, 1);
    ws.send({ type: "visibility", visible: true });
    ws.send({ type: "ping" });
    await ws.next("pong");
    await sayAndSettle(app, owner, channelId, "@member and now?");
    assert.equal(receiver.received.length, 1);
    // Another socket in sight wins over a hidden one.
    ws.send({ type: "visibility", visible: false });
    const other = await member.connect();
    ws.send({ type: "ping" });
    await ws.next("pong");
    await sayAndSettle(app, owner, channelId, "@member two pages");
    assert.equal(receiver.received.length, 1);
    await other.close();
    await eventually(() => !app.hub.isVisible(member.id), "the visible socket to go");
    await sayAndSettle(app, owner, channelId, "@member one hidden page left");
    assert.equal(receiver.received.length, 2);
    await ws.close();
  } finally {
    await receiver.close();
  }
}, LOOPBACK);

appTest("push - levels and mutes: none, mute, channel over server, @everyone", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const receiver = await receiverFor(member);
  try {
    await subscribe(member, await receiver.subscribe());
    await setLevel(member, serverId, { level: "none" });
    await sayAndSettle(app, owner, channelId, "@member muted by level");
    assert.equal(receiver.received.length, 0);
    // The channel's own level wins over the server's.
    await setLevel(member, channelId, { level: "all" });
    await sayAndSettle(app, owner, channelId, "no mention at all");
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0].urgency, "normal");
    // A mute (on the server) silences even a channel set to all, until it ends.
    const later = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    await setLevel(member, serverId, { level: "default", muteUntil: later });
    await sayAndSettle(app, owner, channelId, "@member muted for an hour");
    assert.equal(receiver.received.length, 1);
    const past = new Date(Date.now() - 1000).toISOString();
    await setLevel(member, serverId, { level: "default", muteUntil: past });
    await setLevel(member, channelId, { level: "default" });
    // The owner holds mention_everyone: @everyone notifies every member.
    await sayAndSettle(app, owner, channelId, "@everyone meeting");
    assert.equal(receiver.received.length, 2);
    // @here only those online: the member has no socket.
    await sayAndSettle(app, owner, channelId, "@here anyone?");
    assert.equal(receiver.received.length, 2);
  } finally {
    await receiver.close();
  }
}, LOOPBACK);

appTest("push - a 410 from the push service deletes the subscription", async (app) => {
  const { channelId, owner, member } = await room(app);
  const receiver = await receiverFor(member);
  try {
    await subscribe(member, await receiver.subscribe(410));
    const kept = await receiver.subscribe();
    await subscribe(member, kept);
    assert.equal((await app.testStore.store.listPushSubscriptions([member.id])).length, 2);
    await sayAndSettle(app, owner, channelId, "@member ping");
    assert.equal(receiver.received.length, 2);
    const left = await app.testStore.store.listPushSubscriptions([member.id]);
    assert.deepEqual(left.map((s) => s.endpoint), [kept.endpoint]);
  } finally {
    await receiver.close();
  }
}, LOOPBACK);

appTest("push - a DM notifies its other member by default; muting the DM stops it", async (app) => {
  const { owner, member } = await room(app);
  const receiver = await receiverFor(member);
  try {
    await subscribe(member, await receiver.subscribe());
    const opened = await owner.http.json<{ channel: { id: string } }>("POST", "/api/dms", {
      json: { userIds: [member.id] },
    });
    assert.ok(opened.status === 200 || opened.status === 201, JSON.stringify(opened.body));
    const dmId = opened.body.channel.id;
    const message = await sayAndSettle(app, owner, dmId, "psst");
    assert.equal(receiver.received.length, 1);
    assert.deepEqual(receiver.received[0].payload, {
      title: "owner",
      body: "psst",
      url: `/chat/dm/${dmId}?m=${message.seq}`,
      channelId: dmId,
      messageId: message.id,
    });
    const later = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    await setLevel(member, dmId, { level: "default", muteUntil: later });
    await sayAndSettle(app, owner, dmId, "psst again");
    assert.equal(receiver.received.length, 1);
  } finally {
    await receiver.close();
  }
}, LOOPBACK);

appTest("push - a private endpoint is refused without PUSH_ALLOW_LOOPBACK", async (app) => {
  const { channelId, owner, member } = await room(app);
  const receiver = await receiverFor(member);
  try {
    const subscription = await receiver.subscribe();
    for (
      const endpoint of [
        subscription.endpoint, // http on loopback
        "https://127.0.0.1/push/x",
        "https://10.0.0.7/push/x",
        "https://169.254.169.254/latest",
        "https://[::1]/push",
        "https://[fd12::1]/push",
        "https://[::ffff:192.168.0.1]/push",
        "https://localhost/push",
        "https://user:pw@example.com/push",
      ]
    ) {
      const answer = await member.http.json("POST", "/api/push/subscriptions", {
        json: { endpoint, keys: subscription.keys },
      });
      assertError(answer, 400, "endpoint_not_allowed");
    }
    // Stored behind the guard's back: refused again at send time.
    await app.testStore.store.putPushSubscription({
      userId: member.id,
      endpoint: subscription.endpoint,
      p256dh: subscription.keys.p256dh,
      auth: subscription.keys.auth,
      createdAt: new Date(),
    }, 10);
    await sayAndSettle(app, owner, channelId, "@member over loopback?");
    assert.equal(receiver.received.length, 0);
    assert.equal(app.notifications.sender?.stats.refused, 1);
  } finally {
    await receiver.close();
  }
});

for (const backend of BACKENDS) {
  Deno.test(
    `push - a page in sight on another instance holds the push back (${backend.name})`,
    needs(backend),
    async () => {
      const env = backend.name === "kv" ? { ...LOOPBACK, BUS: "kv" } : LOOPBACK;
      const app = await startTestApp(backend, env);
      const receivers: PushReceiver[] = [];
      try {
        const other = await app.startAnother();
        const { channelId, owner, member } = await room(app);
        const receiver = await receiverFor(member);
        receivers.push(receiver);
        await subscribe(member, await receiver.subscribe());
        // The member's page is on the other instance; the message is sent on this one.
        const ws = await member.connect();
        await ws.close();
        const { WsClient } = await import("./helpers/ws_client.ts");
        const remote = await WsClient.connect(other.url, { cookie: member.http.cookie });
        remote.send({ type: "resume", channels: {} });
        await remote.next("ready");
        await eventually(() => app.hub.isVisible(member.id), "the remote page to be known");
        await sayAndSettle(app, owner, channelId, "@member seen elsewhere?");
        assert.equal(receiver.received.length, 0);
        remote.send({ type: "visibility", visible: false });
        await eventually(() => !app.hub.isVisible(member.id), "the remote page to be hidden");
        await sayAndSettle(app, owner, channelId, "@member hidden elsewhere");
        assert.equal(receiver.received.length, 1);
        await remote.close();
      } finally {
        for (const receiver of receivers) await receiver.close();
        await app.close();
      }
    },
  );
}
