/** Servers, channels, invites and messages over HTTP, through the real app on both stores. */
import assert from "node:assert/strict";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { register, room } from "./helpers/people.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

appTest("POST /api/servers - creates a server with general, owned by the caller", async (app) => {
  const alice = await register(app, "alice");
  const { status, body } = await alice.http.json<{
    server: { id: string; name: string; ownerId: string; createdAt: string };
    channels: { id: string; name: string; serverId: string }[];
  }>("POST", "/api/servers", { json: { name: "  Book Club  " } });
  assert.equal(status, 201);
  assert.equal(body.server.name, "Book Club");
  assert.equal(body.server.ownerId, alice.id);
  assert.deepEqual(body.channels.map((c) => [c.name, c.serverId]), [["general", body.server.id]]);
  const list = await alice.http.json<{ servers: { id: string }[] }>("GET", "/api/servers");
  assert.deepEqual(list.body.servers.map((s) => s.id), [body.server.id]);
  const detail = await alice.http.json<{
    members: { user: { id: string }; roles: string[]; joinedAt: string; timeoutUntil: null }[];
    roles: { id: string; name: string; position: number }[];
  }>("GET", `/api/servers/${body.server.id}`);
  assert.deepEqual(detail.body.members.map((m) => m.user.id), [alice.id]);
  assert.deepEqual(detail.body.members[0].roles, []);
  assert.equal(detail.body.members[0].timeoutUntil, null);
  assert.deepEqual(
    detail.body.roles.map((r) => [r.id, r.name, r.position]),
    [[body.server.id, "@everyone", 0]],
  );
  for (const name of ["", "x".repeat(101), 42]) {
    const bad = await alice.http.json<ErrorBody>("POST", "/api/servers", { json: { name } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_server_name");
  }
});

appTest("invites - members invite, anyone with the code joins, bad codes 404", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const detail = await owner.http.json<{ members: { user: { id: string } }[] }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.deepEqual(detail.body.members.map((m) => m.user.id), [owner.id, member.id]);
  const byMember = await member.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  assert.equal(byMember.status, 201);
  const byOutsider = await outsider.http.json("POST", `/api/servers/${serverId}/invites`);
  assert.equal(byOutsider.status, 404);
  const bad = await outsider.http.json<ErrorBody>("POST", "/api/invites/nope/join");
  assert.equal(bad.status, 404);
  assert.equal(bad.body.error.code, "invite_invalid");
  const joined = await outsider.http.json<{ server: { id: string }; channels: unknown[] }>(
    "POST",
    `/api/invites/${byMember.body.code}/join`,
  );
  assert.equal(joined.status, 200);
  assert.equal(joined.body.server.id, serverId);
  const again = await outsider.http.json("POST", `/api/invites/${byMember.body.code}/join`);
  assert.equal(again.status, 200, "joining twice is harmless");
});

appTest(
  "channels - owner creates, members without manage_channels may not, names are unique",
  async (app) => {
    const { serverId, owner, member, outsider } = await room(app);
    const created = await owner.http.json<{ channel: { name: string; serverId: string } }>(
      "POST",
      `/api/servers/${serverId}/channels`,
      { json: { name: "Off Topic" } },
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.channel.name, "off-topic");
    const duplicate = await owner.http.json<ErrorBody>(
      "POST",
      `/api/servers/${serverId}/channels`,
      {
        json: { name: "off-topic" },
      },
    );
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.code, "channel_exists");
    const invalid = await owner.http.json<ErrorBody>("POST", `/api/servers/${serverId}/channels`, {
      json: { name: "no/slashes" },
    });
    assert.equal(invalid.status, 400);
    const byMember = await member.http.json<ErrorBody>(
      "POST",
      `/api/servers/${serverId}/channels`,
      {
        json: { name: "mine" },
      },
    );
    assert.equal(byMember.status, 403);
    assert.equal(byMember.body.error.code, "missing_permissions");
    const byOutsider = await outsider.http.json("POST", `/api/servers/${serverId}/channels`, {
      json: { name: "mine" },
    });
    assert.equal(byOutsider.status, 404);
  },
);

appTest("messages - send, history with cursors, seq +1 each", async (app) => {
  const { channelId, owner, member } = await room(app);
  const seqs: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const sender = i % 2 ? owner : member;
    const { status, body } = await sender.http.json<{ message: WireMessage }>(
      "POST",
      `/api/channels/${channelId}/messages`,
      { json: { content: `  message ${i}  ` } },
    );
    assert.equal(status, 201);
    assert.equal(body.message.content, `message ${i}`);
    assert.equal(body.message.author.username, sender.username);
    assert.equal(body.message.editedAt, null);
    seqs.push(body.message.seq);
  }
  assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
  const page = async (query: string) =>
    (await member.http.json<{ messages: WireMessage[] }>(
      "GET",
      `/api/channels/${channelId}/messages${query}`,
    ))
      .body.messages.map((m) => m.seq);
  assert.deepEqual(await page(""), [1, 2, 3, 4, 5]);
  assert.deepEqual(await page("?limit=2"), [4, 5]);
  assert.deepEqual(await page("?before=4&limit=2"), [2, 3]);
  assert.deepEqual(await page("?after=3"), [4, 5]);
  for (const query of ["?limit=0", "?limit=101", "?before=abc", "?after=-1"]) {
    const bad = await member.http.json("GET", `/api/channels/${channelId}/messages${query}`);
    assert.equal(bad.status, 400, query);
  }
});

appTest("messages - content rules, and a repeated nonce stores nothing new", async (app) => {
  const { channelId, owner } = await room(app);
  const post = (json: unknown) =>
    owner.http.json<ErrorBody & { message: WireMessage }>(
      "POST",
      `/api/channels/${channelId}/messages`,
      { json },
    );
  assert.equal((await post({ content: "   " })).body.error.code, "empty_content");
  assert.equal((await post({ content: "x".repeat(4001) })).body.error.code, "content_too_long");
  assert.equal(
    (await post({ content: "🎉".repeat(4000) })).status,
    201,
    "4000 characters, not bytes",
  );
  assert.equal((await post({ content: 5 })).status, 400);
  assert.equal((await post({ content: "bell\u0007" })).status, 400);
  assert.equal((await post({ content: "ok", nonce: "" })).status, 400);
  const first = await post({ content: "once", nonce: "n-1" });
  const again = await post({ content: "once", nonce: "n-1" });
  assert.equal(first.status, 201);
  assert.equal(first.body.message.nonce, "n-1");
  assert.deepEqual(again.body.message, first.body.message);
  const history = await owner.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${channelId}/messages`,
  );
  assert.deepEqual(history.body.messages.map((m) => m.seq), [1, 2]);
});

appTest(
  "messages - edit by author only; delete by author or manage_messages (the owner)",
  async (app) => {
    const { channelId, owner, member } = await room(app);
    const send = async (person: typeof owner, content: string) =>
      (await person.http.json<{ message: WireMessage }>(
        "POST",
        `/api/channels/${channelId}/messages`,
        {
          json: { content },
        },
      )).body.message;
    const byMember = await send(member, "typo");
    const byOwner = await send(owner, "owner's");
    const edited = await member.http.json<{ message: WireMessage }>(
      "PATCH",
      `/api/messages/${byMember.id}`,
      {
        json: { content: "fixed" },
      },
    );
    assert.equal(edited.status, 200);
    assert.equal(edited.body.message.content, "fixed");
    assert.ok(edited.body.message.editedAt);
    const notAuthor = await owner.http.json<ErrorBody>("PATCH", `/api/messages/${byMember.id}`, {
      json: { content: "hijack" },
    });
    assert.equal(notAuthor.status, 403);
    const memberDeletesOwner = await member.http.json<ErrorBody>(
      "DELETE",
      `/api/messages/${byOwner.id}`,
    );
    assert.equal(memberDeletesOwner.status, 403);
    assert.equal(memberDeletesOwner.body.error.code, "missing_permissions");
    assert.equal((await owner.http.request("DELETE", `/api/messages/${byMember.id}`)).status, 204);
    assert.equal((await owner.http.request("DELETE", `/api/messages/${byOwner.id}`)).status, 204);
    assert.equal((await owner.http.json("DELETE", `/api/messages/${byOwner.id}`)).status, 404);
  },
);

appTest("leave - members leave and lose access; the owner cannot leave", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const ownerLeaves = await owner.http.json<ErrorBody>(
    "DELETE",
    `/api/servers/${serverId}/members/me`,
  );
  assert.equal(ownerLeaves.status, 409);
  assert.equal(ownerLeaves.body.error.code, "owner_cannot_leave");
  assert.equal(
    (await member.http.request("DELETE", `/api/servers/${serverId}/members/me`)).status,
    204,
  );
  assert.equal((await member.http.json("GET", `/api/servers/${serverId}`)).status, 404);
  assert.equal((await member.http.json("GET", `/api/channels/${channelId}/messages`)).status, 404);
  const list = await member.http.json<{ servers: unknown[] }>("GET", "/api/servers");
  assert.deepEqual(list.body.servers, []);
});

appTest("read markers - 204, never backwards, clamped to the latest seq", async (app) => {
  const { channelId, owner } = await room(app);
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, { json: { content: "a" } });
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, { json: { content: "b" } });
  const put = (seq: unknown) =>
    owner.http.request("PUT", `/api/channels/${channelId}/read`, { json: { seq } });
  assert.equal((await put(1)).status, 204);
  assert.equal((await put(0)).status, 204);
  assert.equal((await put(99)).status, 204);
  assert.equal((await put(-1)).status, 400);
  assert.equal((await put("2")).status, 400);
  const user = await app.accounts.getUser(owner.id);
  const ready = await app.chat.reads.ready(user, await app.chat.servers.idsOf(user));
  assert.equal(ready[0].channels[0].readSeq, 2);
  assert.equal(ready[0].channels[0].lastSeq, 2);
});

appTest("message rate limit - 429 with Retry-After past the limit", async (app) => {
  const { channelId, owner } = await room(app);
  for (let i = 0; i < 3; i++) {
    const ok = await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
      json: { content: `m${i}` },
    });
    assert.equal(ok.status, 201);
  }
  const limited = await owner.http.json<ErrorBody>("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "too many" },
  });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("Retry-After")) > 0);
}, { MESSAGE_RATE_LIMIT: "3" });

appTest("IDOR - an outsider learns nothing through any route with an id", async (app) => {
  const { serverId, channelId, owner, outsider } = await room(app);
  const sent = await owner.http.json<{ message: WireMessage }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    {
      json: { content: "secret" },
    },
  );
  const messageId = sent.body.message.id;
  const attempts: [string, string, unknown?][] = [
    ["GET", `/api/servers/${serverId}`],
    ["POST", `/api/servers/${serverId}/invites`],
    ["POST", `/api/servers/${serverId}/channels`, { name: "x" }],
    ["DELETE", `/api/servers/${serverId}/members/me`],
    ["GET", `/api/channels/${channelId}/messages`],
    ["POST", `/api/channels/${channelId}/messages`, { content: "hi" }],
    ["PUT", `/api/channels/${channelId}/read`, { seq: 1 }],
    ["PATCH", `/api/messages/${messageId}`, { content: "x" }],
    ["DELETE", `/api/messages/${messageId}`],
  ];
  const notFound = await owner.http.json("GET", `/api/servers/${crypto.randomUUID()}`);
  for (const [method, path, json] of attempts) {
    const response = await outsider.http.json<ErrorBody>(method, path, json ? { json } : {});
    assert.equal(response.status, 404, `${method} ${path}`);
    assert.deepEqual(Object.keys(response.body.error).sort(), ["code", "message"]);
    assert.doesNotMatch(JSON.stringify(response.body), /secret|Room/);
  }
  assert.equal(notFound.status, 404);
  const servers = await outsider.http.json<{ servers: unknown[] }>("GET", "/api/servers");
  assert.deepEqual(servers.body.servers, []);
  const history = await owner.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${channelId}/messages`,
  );
  assert.deepEqual(history.body.messages.map((m) => m.content), ["secret"], "nothing changed");
});

appTest("chat routes need a session", async (app) => {
  for (const [method, path] of [["GET", "/api/servers"], ["POST", "/api/servers"]]) {
    const response = await fetch(app.url + path, { method });
    assert.equal(response.status, 401);
    await response.body?.cancel();
  }
});

appTest(
  "store unavailable - a closed store answers 503 unavailable, not 404 or 500",
  async (app) => {
    const { serverId, channelId, owner } = await room(app);
    const sent = await owner.http.json<{ message: WireMessage }>(
      "POST",
      `/api/channels/${channelId}/messages`,
      { json: { content: "before" } },
    );
    await app.testStore.store.close();
    for (
      const [method, path, json] of [
        ["GET", `/api/servers/${serverId}`, undefined],
        ["GET", `/api/channels/${channelId}/messages`, undefined],
        ["PATCH", `/api/messages/${sent.body.message.id}`, { content: "after" }],
        ["DELETE", `/api/messages/${sent.body.message.id}`, undefined],
      ] as const
    ) {
      const answer = await owner.http.json<ErrorBody>(method, path, { json });
      assert.equal(answer.status, 503, `${method} ${path}`);
      assert.equal(answer.body.error.code, "unavailable");
      assert.equal(answer.headers.get("Retry-After"), "1");
    }
  },
);
