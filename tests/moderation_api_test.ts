/**
 * Kicks, bans and time-outs through the real app on both stores: who may act on whom, what
 * the removed member's sockets see, rejoining, the ban's message purge, and what a time-out
 * blocks.
 */
import assert from "node:assert/strict";
import { v7 as uuidv7 } from "uuid";
import {
  AUDIT_REASON_MAX_LENGTH,
  BAN_DELETE_MESSAGES_MAX_S,
  TIMEOUT_MAX_MS,
} from "../lib/limits.ts";
import type { WireMember, WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { KV_BACKEND, needs, POSTGRES_BACKEND } from "./helpers/backends.ts";
import { createRole, giveRole, grant } from "./helpers/grant_role.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { type Person, register, room } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";
import { WsClient } from "./helpers/ws_client.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

interface AuditBody {
  entries: { action: string; actorId: string; targetId: string; reason: string | null }[];
}

async function joinWith(person: Person, owner: Person, serverId: string) {
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  return await person.http.json<ErrorBody>("POST", `/api/invites/${invite.body.code}/join`);
}

function say(person: Person, channelId: string, content: string) {
  return person.http.json<{ message: WireMessage } & ErrorBody>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content } },
  );
}

appTest("kick - the member is gone, told so, hears nothing more, may rejoin", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  assert.equal((await joinWith(outsider, owner, serverId)).status, 200);
  const [ownerWs, memberWs, witnessWs] = await Promise.all([
    owner.connect(),
    member.connect(),
    outsider.connect(),
  ]);
  const kicked = await owner.http.request(
    "DELETE",
    `/api/servers/${serverId}/members/${member.id}`,
    {
      json: { reason: "  spam  " },
    },
  );
  assert.equal(kicked.status, 204);
  const left = await ownerWs.next("member_left", (e) => e.user.id === member.id);
  assert.deepEqual([left.serverId, left.reason], [serverId, "kicked"]);
  assert.equal((await memberWs.next("server_deleted")).serverId, serverId);

  const sent = await say(owner, channelId, "after the kick");
  await witnessWs.next("message", (e) => e.message.id === sent.body.message.id);
  assert.ok(
    !memberWs.all("message").some((e) => e.message.id === sent.body.message.id),
    "a kicked member's socket gets no more of the server's events",
  );
  assert.equal((await member.http.json("GET", `/api/servers/${serverId}`)).status, 404);
  assert.equal((await say(member, channelId, "still here?")).status, 404);

  const log = await owner.http.json<AuditBody>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=member_kick`,
  );
  assert.deepEqual(
    log.body.entries.map((e) => [e.actorId, e.targetId, e.reason]),
    [[owner.id, member.id, "spam"]],
  );
  assert.equal((await joinWith(member, owner, serverId)).status, 200, "a kick is not a ban");
  // A kick without a body at all works too.
  const bare = await owner.http.request("DELETE", `/api/servers/${serverId}/members/${member.id}`);
  assert.equal(bare.status, 204);
  await Promise.all([ownerWs.close(), memberWs.close(), witnessWs.close()]);
});

appTest("kick - permission, hierarchy, self, owner and bad input", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const third = await register(app, "third");
  await joinWith(third, owner, serverId);
  const kick = (actor: Person, target: string, json?: unknown) =>
    actor.http.json<ErrorBody>("DELETE", `/api/servers/${serverId}/members/${target}`, { json });

  const noRight = await kick(member, third.id);
  assert.equal(noRight.status, 403);
  assert.equal(noRight.body.error.code, "missing_permissions");
  assert.match(noRight.body.error.message, /kick_members/);

  const mods = await grant(owner, serverId, member, ["kick_members"]);
  const self = await kick(member, member.id);
  assert.equal(self.status, 400);
  assert.equal(self.body.error.code, "cannot_moderate_self");
  const onOwner = await kick(member, owner.id);
  assert.equal(onOwner.status, 403);
  assert.equal(onOwner.body.error.code, "role_hierarchy");
  // Same highest role: not above.
  await giveRole(owner, serverId, third, mods);
  const equal = await kick(member, third.id);
  assert.equal(equal.status, 403);
  assert.equal(equal.body.error.code, "role_hierarchy");
  // A role created later goes to the bottom: the member's `mods` is now above it.
  const helpers = await createRole(owner, serverId, [], "helpers");
  await owner.http.request("DELETE", `/api/servers/${serverId}/members/${third.id}/roles/${mods}`);
  await giveRole(owner, serverId, third, helpers);

  const tooLong = await kick(member, third.id, { reason: "x".repeat(AUDIT_REASON_MAX_LENGTH + 1) });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.error.code, "invalid_reason");
  assert.equal((await kick(member, third.id, { reason: 5 })).body.error.code, "invalid_reason");
  assert.equal((await kick(member, outsider.id)).status, 404);
  assert.equal((await kick(member, "x".repeat(5000))).status, 404);
  assert.equal((await kick(outsider, member.id)).status, 404);
  const done = await member.http.request("DELETE", `/api/servers/${serverId}/members/${third.id}`);
  assert.equal(done.status, 204);
});

appTest("ban - removes, blocks rejoining, lists, lifts; deletes recent messages", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const ownMessage = await say(owner, channelId, "the owner's");
  const theirs = [];
  for (const content of ["one", "two", "three"]) {
    theirs.push((await say(member, channelId, content)).body.message.id);
  }
  const [ownerWs, memberWs] = await Promise.all([owner.connect(), member.connect()]);
  const banned = await owner.http.request("PUT", `/api/servers/${serverId}/bans/${member.id}`, {
    json: { reason: "trolling", deleteMessagesSeconds: 3600 },
  });
  assert.equal(banned.status, 204);
  const left = await ownerWs.next("member_left", (e) => e.user.id === member.id);
  assert.equal(left.reason, "banned");
  assert.equal((await memberWs.next("server_deleted")).serverId, serverId);
  for (const id of theirs) await ownerWs.next("message_deleted", (e) => e.id === id);
  const history = await owner.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${channelId}/messages`,
  );
  assert.deepEqual(history.body.messages.map((m) => m.id), [ownMessage.body.message.id]);

  const rejoin = await joinWith(member, owner, serverId);
  assert.equal(rejoin.status, 403);
  assert.equal(rejoin.body.error.code, "banned");
  // Someone who never was a member can be banned ahead of time.
  assert.equal(
    (await owner.http.request("PUT", `/api/servers/${serverId}/bans/${outsider.id}`)).status,
    204,
  );
  assert.equal((await joinWith(outsider, owner, serverId)).body.error.code, "banned");

  const bans = await owner.http.json<{ bans: { user: { id: string }; reason: string | null }[] }>(
    "GET",
    `/api/servers/${serverId}/bans`,
  );
  assert.deepEqual(bans.body.bans.map((b) => [b.user.id, b.reason]), [
    [member.id, "trolling"],
    [outsider.id, null],
  ]);
  const unbanned = await owner.http.request("DELETE", `/api/servers/${serverId}/bans/${member.id}`);
  assert.equal(unbanned.status, 204);
  assert.equal(
    (await owner.http.request("DELETE", `/api/servers/${serverId}/bans/${member.id}`)).status,
    404,
  );
  assert.equal((await joinWith(member, owner, serverId)).status, 200);

  const log = await owner.http.json<AuditBody>("GET", `/api/servers/${serverId}/audit-log`);
  assert.deepEqual(
    log.body.entries.filter((e) => e.action.startsWith("member_")).map((e) => [
      e.action,
      e.targetId,
    ]),
    [["member_unban", member.id], ["member_ban", outsider.id], ["member_ban", member.id]],
  );
  await Promise.all([ownerWs.close(), memberWs.close()]);
});

appTest("ban purge - only this server's messages, only inside the window", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  // An older message, stored as if sent two hours ago (its UUIDv7 id says so too).
  const sentAt = Date.now() - 7200_000;
  const { message: old } = await app.testStore.store.appendMessage({
    id: uuidv7({ msecs: sentAt }),
    channelId,
    authorId: member.id,
    content: "from long ago",
    createdAt: new Date(sentAt),
    nonce: null,
    replyToId: null,
    mentions: { users: [], everyone: false },
  }, serverId);
  const recent = await say(member, channelId, "just now");
  const elsewhere = await member.http.json<{ channels: { id: string }[] }>("POST", "/api/servers", {
    json: { name: "Their own" },
  });
  const theirs = await say(member, elsewhere.body.channels[0].id, "in my own server");
  const banned = await owner.http.request("PUT", `/api/servers/${serverId}/bans/${member.id}`, {
    json: { deleteMessagesSeconds: 3600 },
  });
  assert.equal(banned.status, 204);
  const history = await owner.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${channelId}/messages`,
  );
  assert.deepEqual(history.body.messages.map((m) => m.id), [old.id]);
  assert.notEqual(recent.body.message.id, old.id);
  const own = await member.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${elsewhere.body.channels[0].id}/messages`,
  );
  assert.deepEqual(own.body.messages.map((m) => m.id), [theirs.body.message.id]);
});

appTest("ban - permission, hierarchy and bad input", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const ban = (actor: Person, target: string, json?: unknown) =>
    actor.http.json<ErrorBody>("PUT", `/api/servers/${serverId}/bans/${target}`, { json });
  const noRight = await ban(member, outsider.id);
  assert.equal(noRight.status, 403);
  assert.equal(noRight.body.error.code, "missing_permissions");
  assert.equal(
    (await member.http.json<ErrorBody>("GET", `/api/servers/${serverId}/bans`)).status,
    403,
  );
  await grant(owner, serverId, member, ["ban_members"]);
  assert.equal((await ban(member, owner.id)).body.error.code, "role_hierarchy");
  assert.equal((await ban(member, member.id)).body.error.code, "cannot_moderate_self");
  for (const deleteMessagesSeconds of [-1, BAN_DELETE_MESSAGES_MAX_S + 1, "60", 0.5]) {
    const bad = await ban(member, outsider.id, { deleteMessagesSeconds });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_delete_messages");
  }
  assert.equal((await ban(member, crypto.randomUUID())).status, 404, "no such user");
  assert.equal((await ban(outsider, member.id)).status, 404);
  const unbanNone = await member.http.json<ErrorBody>(
    "DELETE",
    `/api/servers/${serverId}/bans/${outsider.id}`,
  );
  assert.equal(unbanNone.status, 404);
});

appTest("time-out - blocks sending until lifted; live; bounded to 28 days", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const timeout = (actor: Person, target: string, json: unknown) =>
    actor.http.json<{ member: WireMember } & ErrorBody>(
      "PATCH",
      `/api/servers/${serverId}/members/${target}`,
      { json },
    );
  const [ownerWs, memberWs] = await Promise.all([owner.connect(), member.connect()]);
  const until = new Date(Date.now() + 3600_000).toISOString();
  const timedOut = await timeout(owner, member.id, { timeoutUntil: until, reason: "cool down" });
  assert.equal(timedOut.status, 200);
  assert.equal(timedOut.body.member.user.id, member.id);
  assert.equal(timedOut.body.member.timeoutUntil, until);
  const event = await ownerWs.next("member_updated", (e) => e.member.user.id === member.id);
  assert.deepEqual([event.serverId, event.member.timeoutUntil], [serverId, until]);

  const refused = await say(member, channelId, "let me talk");
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, "timed_out");
  memberWs.send({ type: "send", channelId, content: "over the socket", nonce: "n-1" });
  const error = await memberWs.next("error", (e) => e.nonce === "n-1");
  assert.equal(error.code, "timed_out");
  const history = await member.http.json("GET", `/api/channels/${channelId}/messages`);
  assert.equal(history.status, 200, "a timed-out member still reads");

  const lifted = await timeout(owner, member.id, { timeoutUntil: null });
  assert.equal(lifted.body.member.timeoutUntil, null);
  await memberWs.next("member_updated", (e) => e.member.timeoutUntil === null);
  assert.equal((await say(member, channelId, "thanks")).status, 201);

  const bad: unknown[] = [
    {},
    { timeoutUntil: "tomorrow" },
    { timeoutUntil: 12345 },
    { timeoutUntil: new Date(Date.now() - 1000).toISOString() },
    { timeoutUntil: new Date(Date.now() + TIMEOUT_MAX_MS + 60_000).toISOString() },
  ];
  for (const json of bad) {
    const answer = await timeout(owner, member.id, json);
    assert.equal(answer.status, 400, JSON.stringify(json));
    assert.equal(answer.body.error.code, "invalid_timeout");
  }
  const noRight = await timeout(member, owner.id, { timeoutUntil: until });
  assert.equal(noRight.status, 403);
  assert.equal(noRight.body.error.code, "missing_permissions");
  assert.equal(
    (await timeout(owner, owner.id, { timeoutUntil: until })).body.error.code,
    "cannot_moderate_self",
  );
  assert.equal((await timeout(owner, outsider.id, { timeoutUntil: until })).status, 404);
  await grant(owner, serverId, member, ["moderate_members"]);
  assert.equal(
    (await timeout(member, owner.id, { timeoutUntil: until })).body.error.code,
    "role_hierarchy",
  );

  const log = await owner.http.json<AuditBody>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=member_timeout`,
  );
  assert.deepEqual(log.body.entries.map((e) => [e.targetId, e.reason]), [
    [member.id, null],
    [member.id, "cool down"],
  ]);
  await Promise.all([ownerWs.close(), memberWs.close()]);
});

appTest("leave - member_left says the member left", async (app) => {
  const { serverId, owner, member } = await room(app);
  const ownerWs = await owner.connect();
  assert.equal(
    (await member.http.request("DELETE", `/api/servers/${serverId}/members/me`)).status,
    204,
  );
  const left = await ownerWs.next("member_left", (e) => e.user.id === member.id);
  assert.equal(left.reason, "left");
  await ownerWs.close();
});

/** Each case: the backend and the environment that selects its shared bus. */
const SHARED_BUSES: {
  name: string;
  backend: typeof KV_BACKEND;
  env: Record<string, string>;
}[] = [
  { name: "postgres", backend: POSTGRES_BACKEND, env: {} },
  { name: "kv", backend: KV_BACKEND, env: { BUS: "kv" } },
];

for (const { name, backend, env } of SHARED_BUSES) {
  Deno.test(
    `two instances - a time-out and a kick on A hold on B at once (${name} bus)`,
    needs(backend),
    async () => {
      const a = await startTestApp(backend, env);
      try {
        const b = await a.startAnother();
        const { serverId, channelId, owner, member } = await room(a);
        const connectB = async (person: Person) => {
          const ws = await WsClient.connect(b.url, { cookie: person.http.cookie });
          await ws.next("ready");
          return ws;
        };
        const [ownerOnB, memberOnB] = await Promise.all([connectB(owner), connectB(member)]);
        const onB = new HttpClient(b.url);
        onB.cookie = member.http.cookie;

        const until = new Date(Date.now() + 600_000).toISOString();
        const timedOut = await owner.http.json(
          "PATCH",
          `/api/servers/${serverId}/members/${member.id}`,
          {
            json: { timeoutUntil: until },
          },
        );
        assert.equal(timedOut.status, 200);
        await memberOnB.next("member_updated", (e) => e.member.timeoutUntil === until);
        const refused = await onB.json<ErrorBody>("POST", `/api/channels/${channelId}/messages`, {
          json: { content: "via B" },
        });
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error.code, "timed_out");

        const kicked = await owner.http.request(
          "DELETE",
          `/api/servers/${serverId}/members/${member.id}`,
        );
        assert.equal(kicked.status, 204);
        await memberOnB.next("server_deleted");
        const sent = await say(owner, channelId, "after the kick");
        await ownerOnB.next("message", (e) => e.message.id === sent.body.message.id);
        assert.ok(!memberOnB.all("message").some((e) => e.message.id === sent.body.message.id));
        assert.equal((await onB.json("GET", `/api/servers/${serverId}`)).status, 404);
        await Promise.all([ownerOnB.close(), memberOnB.close()]);
      } finally {
        await a.close();
      }
    },
  );
}
