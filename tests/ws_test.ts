/** The WebSocket of API.md against a real server on a free port, on both stores. */
import assert from "node:assert/strict";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { register, room } from "./helpers/people.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { eventually } from "./helpers/wait.ts";

/** A round trip through the server: everything sent before it has been processed. */
async function settle(ws: WsClient): Promise<void> {
  const pongs = ws.all("pong").length;
  ws.send({ type: "ping" });
  await eventually(() => ws.all("pong").length > pongs, "pong");
}

appTest("ws - cookie auth gives ready with servers, channels, lastSeq and readSeq", async (app) => {
  const { serverId, channelId, owner } = await room(app);
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, { json: { content: "hi" } });
  const ws = await owner.connect();
  const ready = await ws.next("ready");
  assert.equal(ready.user.id, owner.id);
  assert.equal(ready.servers.length, 1);
  assert.equal(ready.servers[0].server.id, serverId);
  const [general] = ready.servers[0].channels;
  assert.deepEqual([general.id, general.name, general.lastSeq, general.readSeq], [
    channelId,
    "general",
    1,
    0,
  ]);
  await ws.close();
});

appTest("ws - auth frame with a token; a bad token is an error and a close", async (app) => {
  const alice = await register(app, "alice");
  const ws = await WsClient.connect(app.url);
  ws.send({ type: "send", channelId: "x", content: "too early", nonce: "n" });
  assert.equal((await ws.next("error")).code, "unauthorized");
  ws.send({ type: "auth", token: alice.token });
  assert.equal((await ws.next("ready")).user.username, "alice");
  ws.send({ type: "auth", token: alice.token });
  assert.equal(
    (await ws.next("error", (e) => e.code !== "unauthorized")).code,
    "already_authenticated",
  );
  await ws.close();

  const bad = await WsClient.connect(app.url);
  bad.send({ type: "auth", token: `${alice.token}x` });
  assert.equal((await bad.next("error")).code, "unauthorized");
  assert.equal((await bad.closed).code, 4401);
});

appTest("ws - send: ack to the sender, message to every other member socket", async (app) => {
  const { channelId, owner, member, outsider } = await room(app);
  const [ownerWs, ownerTab2, memberWs, outsiderWs] = await Promise.all([
    owner.connect(),
    owner.connect(),
    member.connect(),
    outsider.connect(),
  ]);
  ownerWs.send({ type: "send", channelId, content: "hello <b>all</b>", nonce: "n-1" });
  const ack = await ownerWs.next("ack");
  assert.equal(ack.nonce, "n-1");
  assert.equal(ack.message.seq, 1);
  assert.equal(ack.message.content, "hello <b>all</b>");
  const received = await memberWs.next("message");
  assert.deepEqual(received.message, ack.message);
  assert.deepEqual((await ownerTab2.next("message")).message, ack.message);
  await settle(ownerWs);
  await settle(outsiderWs);
  assert.equal(ownerWs.all("message").length, 0, "the sender gets the ack only");
  assert.equal(outsiderWs.all("message").length, 0, "a non-member gets nothing");

  // Resending an unacknowledged nonce stores nothing new and acks the first message.
  ownerWs.send({ type: "send", channelId, content: "hello <b>all</b>", nonce: "n-1" });
  await eventually(() => ownerWs.all("ack").length === 2, "second ack");
  assert.deepEqual(ownerWs.all("ack")[1].message, ack.message);
  await settle(memberWs);
  assert.equal(memberWs.all("message").length, 1);
  await Promise.all([ownerWs, ownerTab2, memberWs, outsiderWs].map((ws) => ws.close()));
});

appTest("ws - edits, deletes, typing, reads and channels reach the right sockets", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const [ownerWs, memberWs, memberTab2, outsiderWs] = await Promise.all([
    owner.connect(),
    member.connect(),
    member.connect(),
    outsider.connect(),
  ]);
  const sent = await member.http.json<{ message: WireMessage }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    {
      json: { content: "draft" },
    },
  );
  const id = sent.body.message.id;
  await member.http.json("PATCH", `/api/messages/${id}`, { json: { content: "final" } });
  assert.equal((await ownerWs.next("message_updated")).message.content, "final");
  await owner.http.request("DELETE", `/api/messages/${id}`);
  assert.deepEqual(await memberWs.next("message_deleted"), {
    type: "message_deleted",
    channelId,
    id,
  });

  memberWs.send({ type: "typing", channelId });
  const typing = await ownerWs.next("typing");
  assert.equal(typing.channelId, channelId);
  assert.equal(typing.user.username, "member");
  assert.deepEqual(Object.keys(typing.user).sort(), ["avatarUrl", "displayName", "id", "username"]);

  await member.http.request("PUT", `/api/channels/${channelId}/read`, { json: { seq: 1 } });
  assert.deepEqual(await memberTab2.next("read"), { type: "read", channelId, seq: 1 });

  await owner.http.json("POST", `/api/servers/${serverId}/channels`, { json: { name: "random" } });
  assert.equal((await memberWs.next("channel_created")).channel.name, "random");

  await settle(outsiderWs);
  await settle(ownerWs);
  const outsiderTypes = outsiderWs.frames.map((f) => f.type).filter((t) => t !== "presence");
  assert.deepEqual(outsiderTypes, ["ready", "pong"], "an outsider hears nothing of this server");
  assert.equal(ownerWs.all("read").length, 0, "read markers are private");
  assert.equal(memberWs.all("typing").length, 0, "the typing socket does not hear itself");
  await Promise.all([ownerWs, memberWs, memberTab2, outsiderWs].map((ws) => ws.close()));
});

appTest("ws - presence follows a user's sockets; joins and leaves are announced", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const ownerWs = await owner.connect();
  const memberPresence = () => ownerWs.all("presence").filter((p) => p.userId === member.id);
  const first = await member.connect();
  assert.deepEqual(await ownerWs.next("presence", (p) => p.userId === member.id), {
    type: "presence",
    userId: member.id,
    status: "online",
  });
  const second = await member.connect();
  await first.close();
  await settle(ownerWs);
  assert.equal(memberPresence().length, 1, "still online: one socket remains");
  await second.close();
  await eventually(() => memberPresence().length === 2, "offline");
  assert.equal(memberPresence()[1].status, "offline");

  const outsiderWs = await outsider.connect();
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  await outsider.http.json("POST", `/api/invites/${invite.body.code}/join`);
  assert.equal((await ownerWs.next("member_joined")).user.id, outsider.id);
  assert.equal((await outsiderWs.next("server_joined")).server.id, serverId);
  await outsider.http.request("DELETE", `/api/servers/${serverId}/members/me`);
  assert.equal((await ownerWs.next("member_left")).user.id, outsider.id);
  assert.equal((await outsiderWs.next("server_left")).serverId, serverId);
  await Promise.all([ownerWs.close(), outsiderWs.close()]);
});

appTest("ws - a joiner's open socket receives the new server's messages at once", async (app) => {
  const { serverId, channelId, owner, outsider } = await room(app);
  const outsiderWs = await outsider.connect();
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  await outsider.http.json("POST", `/api/invites/${invite.body.code}/join`);
  await outsiderWs.next("server_joined");
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "welcome" },
  });
  assert.equal((await outsiderWs.next("message")).message.content, "welcome");
  await outsiderWs.close();
});

appTest("ws - a foreign Origin is refused before the upgrade", async (app) => {
  const alice = await register(app, "alice");
  await assert.rejects(
    WsClient.connect(app.url, { cookie: alice.http.cookie, origin: "http://evil.example" }),
  );
  const own = await WsClient.connect(app.url, { cookie: alice.http.cookie, origin: app.url });
  await own.next("ready");
  await own.close();
  const plain = await fetch(`${app.url}/ws`);
  assert.equal(plain.status, 426);
  await plain.body?.cancel();
});

appTest("ws - bad frames get error events and the socket stays open", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const other = await register(app, "stranger");
  const created = await other.http.json<{ channels: { id: string }[] }>("POST", "/api/servers", {
    json: { name: "Elsewhere" },
  });
  const foreignChannel = created.body.channels[0].id;
  const ws = await owner.connect();
  const memberWs = await member.connect();
  const cases: [string | Uint8Array<ArrayBuffer>, string][] = [
    ["not json", "invalid_json"],
    ["[1,2]", "invalid_frame"],
    ['{"type":"launch"}', "unknown_type"],
    ['{"type":"send","channelId":"x"}', "invalid_frame"],
    [new Uint8Array([1, 2, 3]), "binary_not_supported"],
    ["[".repeat(10_000) + "]".repeat(10_000), "invalid_frame"],
    [JSON.stringify({ type: "send", channelId, content: "", nonce: "a" }), "empty_content"],
    [
      JSON.stringify({ type: "send", channelId: foreignChannel, content: "hi", nonce: "b" }),
      "not_found",
    ],
    [JSON.stringify({ type: "resume", channels: { [channelId]: -1 } }), "invalid_frame"],
  ];
  for (const [frame, code] of cases) {
    const before = ws.all("error").length;
    ws.sendRaw(frame);
    await eventually(() => ws.all("error").length > before, `error for ${code}`);
    assert.equal(ws.all("error")[before].code, code, String(frame).slice(0, 40));
  }
  assert.equal(ws.all("error").find((e) => e.code === "not_found")?.nonce, "b");
  ws.send({ type: "send", channelId, content: "still here", nonce: "c" });
  assert.equal((await ws.next("ack")).message.seq, 1);
  await settle(memberWs);
  assert.deepEqual(memberWs.all("message").map((m) => m.message.content), ["still here"]);
  void serverId;
  await Promise.all([ws.close(), memberWs.close()]);
});

appTest(
  "ws - an oversized frame closes with 1009; a flood of bad frames with 1008",
  async (app) => {
    const alice = await register(app, "alice");
    const big = await alice.connect();
    big.sendRaw(JSON.stringify({ type: "ping", pad: "x".repeat(40_000) }));
    assert.equal((await big.closed).code, 1009);
    // 12,000 characters but 36,000 bytes of UTF-8: the limit is in bytes.
    const wide = await alice.connect();
    wide.sendRaw(JSON.stringify({ type: "ping", pad: "€".repeat(12_000) }));
    assert.equal((await wide.closed).code, 1009);
    const flood = await alice.connect();
    let closed = false;
    flood.closed.then(() => closed = true);
    // One at a time, as a misbehaving client keeps going until the server hangs up.
    for (let i = 0; i < 30 && !closed; i++) {
      flood.sendRaw("nope");
      await eventually(() => flood.all("error").length > i || closed, "an answer");
    }
    const close = await flood.closed;
    assert.equal(close.code, 1008);
    assert.equal(close.reason, "too many bad frames");
    assert.equal(flood.all("error").length, 20);
  },
);

appTest("ws - reconnect and resume: exactly the missed messages, in order", async (app) => {
  const { channelId, owner, member } = await room(app);
  const ownerWs = await owner.connect();
  let memberWs = await member.connect();
  for (const content of ["one", "two"]) {
    ownerWs.send({ type: "send", channelId, content, nonce: content });
    await ownerWs.next("ack", (a) => a.nonce === content);
  }
  await eventually(() => memberWs.all("message").length === 2, "two messages");
  const lastSeen = memberWs.all("message").at(-1)!.message.seq;
  await memberWs.close();
  for (const content of ["three", "four", "five"]) {
    ownerWs.send({ type: "send", channelId, content, nonce: content });
    await ownerWs.next("ack", (a) => a.nonce === content);
  }
  // This client resumes only after `ready`, as API.md allows: live messages wait for it.
  memberWs = await member.connect({ lateResume: true });
  memberWs.send({ type: "resume", channels: { [channelId]: lastSeen } });
  // Live traffic keeps flowing while the replay runs.
  ownerWs.send({ type: "send", channelId, content: "six", nonce: "six" });
  await eventually(() => memberWs.all("message").length === 4, "four messages");
  await settle(memberWs);
  assert.deepEqual(memberWs.all("message").map((m) => [m.message.seq, m.message.content]), [
    [3, "three"],
    [4, "four"],
    [5, "five"],
    [6, "six"],
  ]);
  await Promise.all([ownerWs.close(), memberWs.close()]);
});

appTest(
  "ws - concurrent senders: every socket sees every message once, in seq order",
  async (app) => {
    const { channelId, owner, member } = await room(app);
    const senders = await Promise.all([owner.connect(), member.connect()]);
    const watcher = await owner.connect();
    for (let i = 0; i < 40; i++) {
      senders[i % 2].send({ type: "send", channelId, content: `m${i}`, nonce: `n${i}` });
    }
    await eventually(() => senders.every((ws) => ws.all("ack").length === 20), "all acks");
    for (const sender of senders) {
      const seqs = sender.all("ack").map((ack) => ack.message.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "a socket's sends keep its order");
    }
    await eventually(() => watcher.all("message").length === 40, "40 messages");
    await settle(watcher);
    assert.deepEqual(
      watcher.all("message").map((m) => m.message.seq),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    await Promise.all([...senders, watcher].map((ws) => ws.close()));
  },
);

appTest("ws - logging out closes that session's sockets", async (app) => {
  const alice = await register(app, "alice");
  const ws = await alice.connect();
  await alice.http.request("POST", "/api/auth/logout");
  assert.equal((await ws.next("error")).code, "session_ended");
  assert.equal((await ws.closed).code, 4403);
});

appTest("ws - ping works before authentication", async (app) => {
  const ws = await WsClient.connect(app.url);
  ws.send({ type: "ping" });
  assert.equal((await ws.next("pong")).type, "pong", "ping works before auth");
  await ws.close();
});

appTest(
  "ws - a burst past the rate limit gets rate_limited errors, stays open, every stored send acked",
  async (app) => {
    const { channelId, owner, member } = await room(app);
    const ws = await owner.connect();
    const memberWs = await member.connect();
    // 200 sends at once, as a bursty client (or a resending outbox) does.
    for (let i = 0; i < 200; i++) {
      ws.send({ type: "send", channelId, content: `burst ${i}`, nonce: `b${i}` });
    }
    await eventually(() => ws.all("ack").length + ws.all("error").length === 200, "200 answers");
    assert.equal(ws.socket.readyState, WebSocket.OPEN, "rate limits never close the socket");
    assert.equal(ws.all("ack").length, 50, "the limit's worth went through");
    const errors = ws.all("error");
    assert.ok(errors.every((e) => e.code === "rate_limited" && e.nonce), "each names its send");
    await settle(memberWs);
    const stored = await owner.http.json<{ messages: WireMessage[] }>(
      "GET",
      `/api/channels/${channelId}/messages?limit=100`,
    );
    assert.equal(stored.body.messages.length, 50, "exactly the acked ones are stored");
    assert.equal(memberWs.all("message").length, 50);
    ws.send({ type: "ping" });
    await ws.next("pong");
    await ws.close();
    await memberWs.close();
  },
  { MESSAGE_RATE_LIMIT: "50" },
);

appTest("ws - editing or deleting another's message broadcasts nothing", async (app) => {
  const { channelId, owner, member } = await room(app);
  const ownerWs = await owner.connect();
  const memberWs = await member.connect();
  const sent = await owner.http.json<{ message: WireMessage }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    {
      json: { content: "mine" },
    },
  );
  await memberWs.next("message");
  const edit = await member.http.json("PATCH", `/api/messages/${sent.body.message.id}`, {
    json: { content: "yours" },
  });
  const remove = await member.http.json("DELETE", `/api/messages/${sent.body.message.id}`);
  assert.deepEqual([edit.status, remove.status], [403, 403]);
  await settle(ownerWs);
  await settle(memberWs);
  for (const ws of [ownerWs, memberWs]) {
    assert.equal(ws.all("message_updated").length + ws.all("message_deleted").length, 0);
  }
  await Promise.all([ownerWs.close(), memberWs.close()]);
});

appTest("ws - a restarting server closes sockets with 1012 so clients come back", async (app) => {
  const alice = await register(app, "alice");
  const ws = await alice.connect();
  await app.restart();
  const close = await ws.closed;
  assert.equal(close.code, 1012);
  assert.equal(close.reason, "server restarting");
  const again = await alice.connect();
  await again.close();
});

appTest("ws - a socket that leaves while it is being set up is not kept", async (app) => {
  const alice = await register(app, "alice");
  for (let i = 0; i < 10; i++) {
    const ws = await WsClient.connect(app.url, { cookie: alice.http.cookie });
    ws.socket.close();
    await ws.closed;
  }
  await eventually(() => app.hub.sockets.length === 0, "no socket left in the hub");
  assert.equal(app.hub.isOnline(alice.id), false);
});
