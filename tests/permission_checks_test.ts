/**
 * Part one's checks under permissions (API.md "Permissions and roles"): sending and typing
 * need send_messages and no time-out, history needs read_history, deleting others' messages
 * manage_messages (audited), creating channels manage_channels. Over HTTP and the socket, on
 * both stores.
 */
import assert from "node:assert/strict";
import type { WireChannel, WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import {
  assertError,
  createRole,
  giveRole,
  putOverwrite,
  setEveryone,
} from "./helpers/governance.ts";
import { type Person, register, room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

const WITHOUT_SENDING = ["view_channel", "read_history", "add_reactions", "create_invites"];

function send(person: Person, channelId: string, content: string) {
  return person.http.json<{ message: WireMessage }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content } },
  );
}

async function timeOut(app: TestApp, owner: Person, serverId: string, userId: string, ms: number) {
  const actor = await app.accounts.getUser(owner.id);
  await app.chat.moderation.timeout(actor, serverId, userId, {
    timeoutUntil: new Date(Date.now() + ms).toISOString(),
  });
}

appTest("send_messages - a member without it cannot send over HTTP or the socket", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  await setEveryone(owner, serverId, WITHOUT_SENDING);
  assertError(await send(member, channelId, "hi"), 403, "missing_permissions");
  const socket = await member.connect();
  try {
    socket.send({ type: "send", channelId, content: "hi", nonce: "n-1" });
    const refused = await socket.next("error", (e) => e.nonce === "n-1");
    assert.equal(refused.code, "missing_permissions");
    socket.send({ type: "typing", channelId });
    const noTyping = await socket.next(
      "error",
      (e) => e.code === "missing_permissions" && !e.nonce,
    );
    assert.match(noTyping.message, /send_messages/);
    assert.equal((await send(owner, channelId, "owner may")).status, 201);

    // A role gives it back; a channel overwrite can take it away again.
    const talkers = await createRole(owner, serverId, {
      name: "Talkers",
      permissions: ["send_messages"],
    });
    await giveRole(owner, serverId, member.id, talkers.id);
    assert.equal((await send(member, channelId, "now I can")).status, 201);
    socket.send({ type: "send", channelId, content: "and here", nonce: "n-2" });
    assert.equal((await socket.next("ack", (e) => e.nonce === "n-2")).message.content, "and here");
    await putOverwrite(owner, channelId, talkers.id, { type: "role", deny: ["send_messages"] });
    assertError(await send(member, channelId, "not here"), 403, "missing_permissions");
  } finally {
    await socket.close();
  }
  const history = await owner.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${channelId}/messages`,
  );
  assert.deepEqual(history.body.messages.map((m) => m.content), [
    "owner may",
    "now I can",
    "and here",
  ]);
});

appTest("time-out - a timed-out member cannot send or type until it ends", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const watcher = await owner.connect();
  const socket = await member.connect();
  try {
    await timeOut(app, owner, serverId, member.id, 60_000);
    await watcher.next("member_updated", (e) => e.member.timeoutUntil !== null);
    const refused = await send(member, channelId, "hi");
    assertError(refused, 403, "timed_out");
    socket.send({ type: "send", channelId, content: "hi", nonce: "t-1" });
    assert.equal((await socket.next("error", (e) => e.nonce === "t-1")).code, "timed_out");
    socket.send({ type: "typing", channelId });
    await socket.next("error", (e) => e.code === "timed_out" && !e.nonce);
    // Reading is still allowed.
    const history = await member.http.json("GET", `/api/channels/${channelId}/messages`);
    assert.equal(history.status, 200);
    const actor = await app.accounts.getUser(owner.id);
    await app.chat.moderation.timeout(actor, serverId, member.id, { timeoutUntil: null });
    assert.equal((await send(member, channelId, "free again")).status, 201);
    assert.equal(watcher.all("typing").length, 0, "no typing was relayed while timed out");
  } finally {
    await socket.close();
    await watcher.close();
  }
});

appTest("read_history - viewing without it shows the channel but not its history", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  await send(owner, channelId, "before");
  await setEveryone(owner, serverId, ["view_channel", "send_messages"]);
  assertError(
    await member.http.json("GET", `/api/channels/${channelId}/messages`),
    403,
    "missing_permissions",
  );
  const detail = await member.http.json<{ channels: WireChannel[] }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.deepEqual(detail.body.channels.map((c) => c.id), [channelId]);
  assert.equal((await send(member, channelId, "may still send")).status, 201);
  // Without view_channel the channel does not exist for the member.
  await setEveryone(owner, serverId, ["read_history"]);
  assertError(
    await member.http.json("GET", `/api/channels/${channelId}/messages`),
    404,
    "not_found",
  );
  assertError(await send(member, channelId, "x"), 404, "not_found");
  const hidden = await member.http.json<{ channels: WireChannel[] }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.deepEqual(hidden.body.channels, []);
  const read = await member.http.json("PUT", `/api/channels/${channelId}/read`, {
    json: { seq: 1 },
  });
  assertError(read, 404, "not_found");
});

appTest("ready - lists only the channels the user may view, with their overwrites", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const created = await owner.http.json<{ channel: WireChannel }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json: { name: "staff" } },
  );
  const staff = created.body.channel;
  await putOverwrite(owner, staff.id, serverId, { type: "role", deny: ["view_channel"] });
  await putOverwrite(owner, channelId, member.id, { type: "member", deny: ["add_reactions"] });
  const socket = await member.connect();
  const ownerSocket = await owner.connect();
  try {
    const ready = await socket.next("ready");
    const channels = ready.servers.find((s) => s.server.id === serverId)!.channels;
    assert.deepEqual(channels.map((c) => c.id), [channelId]);
    assert.deepEqual(channels[0].permissionOverwrites, [
      { id: member.id, type: "member", allow: [], deny: ["add_reactions"] },
    ]);
    const ownerReady = await ownerSocket.next("ready");
    assert.deepEqual(
      ownerReady.servers.find((s) => s.server.id === serverId)!.channels.map((c) => c.id),
      [channelId, staff.id],
    );
    // Messages of a hidden channel never reach the member's socket.
    assert.equal((await send(owner, staff.id, "staff only")).status, 201);
    assert.equal((await send(owner, channelId, "for all")).status, 201);
    await socket.next("message", (e) => e.message.content === "for all");
    assert.deepEqual(socket.all("message").map((e) => e.message.content), ["for all"]);
  } finally {
    await socket.close();
    await ownerSocket.close();
  }
});

appTest(
  "manage_messages - deletes others' messages, with an audit entry; own ones need nothing",
  async (app) => {
    const { serverId, channelId, owner, member } = await room(app);
    const third = await register(app, "third");
    const invite = await owner.http.json<{ code: string }>(
      "POST",
      `/api/servers/${serverId}/invites`,
    );
    await third.http.json("POST", `/api/invites/${invite.body.code}/join`);
    const byThird = (await send(third, channelId, "spam")).body.message;
    const byMember = (await send(member, channelId, "mine")).body.message;
    assertError(
      await member.http.json("DELETE", `/api/messages/${byThird.id}`),
      403,
      "missing_permissions",
    );
    const mods = await createRole(owner, serverId, {
      name: "Mods",
      permissions: ["manage_messages"],
    });
    await giveRole(owner, serverId, member.id, mods.id);
    const socket = await third.connect();
    try {
      assert.equal(
        (await member.http.request("DELETE", `/api/messages/${byThird.id}`)).status,
        204,
      );
      const deleted = await socket.next("message_deleted");
      assert.deepEqual(deleted, { type: "message_deleted", channelId, id: byThird.id });
    } finally {
      await socket.close();
    }
    assert.equal((await member.http.request("DELETE", `/api/messages/${byMember.id}`)).status, 204);
    const entries = await app.testStore.store.listAuditLog(serverId, {
      limit: 10,
      action: "message_delete",
    });
    assert.equal(entries.length, 1, "deleting one's own message is not audited");
    assert.equal(entries[0].actorId, member.id);
    assert.equal(entries[0].targetType, "message");
    assert.equal(entries[0].targetId, byThird.id);
    assert.deepEqual(entries[0].changes, [
      { key: "channelId", old: channelId, new: null },
      { key: "authorId", old: third.id, new: null },
    ]);
    // A channel overwrite can take manage_messages away where it applies.
    const again = (await send(third, channelId, "more")).body.message;
    await putOverwrite(owner, channelId, mods.id, { type: "role", deny: ["manage_messages"] });
    assertError(
      await member.http.json("DELETE", `/api/messages/${again.id}`),
      403,
      "missing_permissions",
    );
  },
);

appTest(
  "manage_channels - needed to create channels and categories; fields checked; audited",
  async (app) => {
    const { serverId, owner, member } = await room(app);
    const create = (person: Person, json: Record<string, unknown>) =>
      person.http.json<{ channel: WireChannel }>("POST", `/api/servers/${serverId}/channels`, {
        json,
      });
    assertError(await create(member, { name: "mine" }), 403, "missing_permissions");
    const builders = await createRole(owner, serverId, {
      name: "Builders",
      permissions: ["manage_channels"],
    });
    await giveRole(owner, serverId, member.id, builders.id);
    const category = await create(member, { name: "Text Channels", kind: "category" });
    assert.equal(category.status, 201);
    assert.equal(category.body.channel.kind, "category");
    assert.equal(category.body.channel.position, 1, "after general at 0");
    const inside = await create(member, {
      name: "news",
      parentId: category.body.channel.id,
      topic: "  What happened  ",
    });
    assert.equal(inside.status, 201);
    assert.deepEqual(
      {
        kind: inside.body.channel.kind,
        parentId: inside.body.channel.parentId,
        topic: inside.body.channel.topic,
        position: inside.body.channel.position,
        permissionOverwrites: inside.body.channel.permissionOverwrites,
      },
      {
        kind: "text",
        parentId: category.body.channel.id,
        topic: "What happened",
        position: 0,
        permissionOverwrites: [],
      },
    );
    const second = await create(member, { name: "events", parentId: category.body.channel.id });
    assert.equal(second.body.channel.position, 1);

    assertError(await create(member, { name: "x", kind: "voice" }), 400, "invalid_channel_kind");
    assertError(await create(member, { name: "x", parentId: "nope" }), 400, "invalid_parent");
    assertError(
      await create(member, { name: "x", parentId: inside.body.channel.id }),
      400,
      "invalid_parent",
    );
    assertError(
      await create(member, { name: "x", kind: "category", parentId: category.body.channel.id }),
      400,
      "invalid_parent",
    );
    assertError(await create(member, { name: "x", topic: "t".repeat(1025) }), 400, "invalid_topic");
    assertError(await create(member, { name: "x", topic: 5 }), 400, "invalid_topic");

    const entries = await app.testStore.store.listAuditLog(serverId, {
      limit: 10,
      action: "channel_create",
    });
    assert.equal(entries.length, 3);
    const ofEvents = entries.find((e) => e.targetId === second.body.channel.id)!;
    assert.equal(ofEvents.actorId, member.id);
    assert.deepEqual(ofEvents.changes.find((c) => c.key === "name"), {
      key: "name",
      old: null,
      new: "events",
    });
    const detail = await member.http.json<{ channels: WireChannel[] }>(
      "GET",
      `/api/servers/${serverId}`,
    );
    assert.deepEqual(detail.body.channels.map((c) => c.name), [
      "general",
      "text-channels",
      "news",
      "events",
    ]);
  },
);

appTest(
  "ids - absurdly long ids in any governance route are 404 (or 400), never 500",
  async (app) => {
    const { serverId, channelId, owner } = await room(app);
    const long = "x".repeat(5000);
    const attempts: [string, string, unknown?][] = [
      ["GET", `/api/servers/${long}`],
      ["GET", `/api/servers/${long}/roles`],
      ["POST", `/api/servers/${long}/roles`, { name: "r" }],
      ["PATCH", `/api/servers/${serverId}/roles/${long}`, { name: "r" }],
      ["DELETE", `/api/servers/${serverId}/roles/${long}`],
      ["PUT", `/api/servers/${serverId}/members/${long}/roles/${serverId}x`],
      ["PUT", `/api/servers/${serverId}/members/${owner.id}/roles/${long}`],
      ["PUT", `/api/channels/${long}/overwrites/${serverId}`, { type: "role" }],
      ["PUT", `/api/channels/${channelId}/overwrites/${long}`, { type: "member" }],
      ["DELETE", `/api/channels/${channelId}/overwrites/${long}`],
      ["GET", `/api/channels/${channelId}/permissions?userId=${long}`],
      ["GET", `/api/channels/${long}/messages`],
      ["POST", `/api/channels/${long}/messages`, { content: "hi" }],
      ["POST", `/api/servers/${long}/channels`, { name: "c" }],
      ["DELETE", `/api/messages/${long}`],
    ];
    for (const [method, path, json] of attempts) {
      const answer = await owner.http.json(method, path, json ? { json } : {});
      assert.ok(
        [204, 400, 404].includes(answer.status),
        `${method} ${path.slice(0, 60)}…: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
  },
);
