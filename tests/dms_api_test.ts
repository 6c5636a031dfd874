/**
 * Direct messages over HTTP on both stores (API.md "Direct messages"): the one DM of a pair
 * (also when both open it at once), group DMs, the list, DM policies, blocks, closing, and the
 * channel routes (history, read markers, reactions, pins) working in a DM, with outsiders
 * getting 404.
 */
import assert from "node:assert/strict";
import type { WireDmChannel, WireUser } from "../lib/realtime/protocol.ts";
import { GROUP_DM_NAME_MAX_LENGTH } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { page, react, say } from "./helpers/conversations.ts";
import { assertError } from "./helpers/governance.ts";
import { type Person, register, room } from "./helpers/people.ts";

type DmAnswer = { channel: WireDmChannel };

function openDm(person: Person, userIds: unknown) {
  return person.http.json<DmAnswer>("POST", "/api/dms", { json: { userIds } });
}

async function listDms(person: Person): Promise<WireDmChannel[]> {
  const answer = await person.http.json<{ channels: WireDmChannel[] }>("GET", "/api/dms");
  assert.equal(answer.status, 200);
  return answer.body.channels;
}

async function status(person: Person, method: string, path: string): Promise<number> {
  const response = await person.http.request(method, path);
  await response.body?.cancel();
  return response.status;
}

appTest("dms - one DM per pair, even opened by both at once", async (app) => {
  const { owner, member } = await room(app);
  const [a, b] = await Promise.all([openDm(owner, [member.id]), openDm(member, [owner.id])]);
  assert.equal(a.body.channel.id, b.body.channel.id);
  assert.deepEqual([a.status, b.status].sort(), [200, 201]);
  const dm = a.body.channel;
  assert.equal(dm.serverId, null);
  assert.equal(dm.kind, "dm");
  assert.equal(dm.name, null);
  assert.deepEqual(a.body.channel.recipients.map((u: WireUser) => u.id), [member.id]);
  assert.deepEqual(b.body.channel.recipients.map((u: WireUser) => u.id), [owner.id]);
  const again = await openDm(owner, [member.id]);
  assert.equal(again.status, 200);
  assert.equal(again.body.channel.id, dm.id);
  // Many at once from both sides: still the one.
  const many = await Promise.all(
    Array.from(
      { length: 6 },
      (_, i) => openDm(i % 2 ? owner : member, [i % 2 ? member.id : owner.id]),
    ),
  );
  assert.ok(many.every((answer) => answer.body.channel.id === dm.id && answer.status === 200));
});

appTest(
  "dms - messages, history, read markers, reactions and pins; outsiders get 404",
  async (app) => {
    const { owner, member, outsider } = await room(app);
    const dm = (await openDm(owner, [member.id])).body.channel;
    const first = await say(owner, dm.id, "hello");
    await say(member, dm.id, "hi back");
    assert.deepEqual((await page(member, dm.id)).map((m) => m.content), ["hello", "hi back"]);
    const read = await member.http.json("PUT", `/api/channels/${dm.id}/read`, { json: { seq: 2 } });
    assert.equal(read.status, 204);
    assert.equal(await react(member, first.id, "👍"), 204);
    assert.deepEqual((await page(owner, dm.id))[0].reactions, [{
      emoji: "👍",
      count: 1,
      me: false,
    }]);
    assert.equal(await status(member, "PUT", `/api/channels/${dm.id}/pins/${first.id}`), 204);
    const pins = await owner.http.json<{ pins: unknown[] }>("GET", `/api/channels/${dm.id}/pins`);
    assert.equal(pins.body.pins.length, 1);
    // Deleting someone else's message stays the author's right.
    assertError(
      await member.http.json("DELETE", `/api/messages/${first.id}`),
      403,
      "missing_permissions",
    );

    const listed = await listDms(member);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].lastSeq, 2);
    assert.equal(listed[0].readSeq, 2);

    for (
      const [method, path] of [
        ["GET", `/api/channels/${dm.id}/messages`],
        ["POST", `/api/channels/${dm.id}/messages`],
        ["GET", `/api/channels/${dm.id}/pins`],
        ["PUT", `/api/messages/${first.id}/reactions/%F0%9F%91%8D`],
        ["DELETE", `/api/channels/${dm.id}`],
      ]
    ) {
      const body = method === "GET" ? {} : { json: { content: "x" } };
      const answer = await outsider.http.json(method, path, body);
      assert.equal(answer.status, 404, `${method} ${path}`);
    }
    assert.deepEqual(await listDms(outsider), []);
    // A DM is no server: server routes do not know its id, even for its members.
    for (
      const [method, path] of [
        ["GET", `/api/servers/${dm.id}`],
        ["DELETE", `/api/servers/${dm.id}/members/me`],
        ["GET", `/api/servers/${dm.id}/roles`],
        ["GET", `/api/search?q=hello&serverId=${dm.id}`],
      ]
    ) {
      assert.equal(await status(member, method, path), 404, `${method} ${path}`);
    }
  },
);

appTest("dms - policies: server_members by default, everyone, nobody", async (app) => {
  const { owner, member, outsider } = await room(app);
  assertError(await openDm(outsider, [owner.id]), 403, "dm_not_allowed");
  const me = await owner.http.json<{ user: { dmPolicy: string } }>("GET", "/api/me");
  assert.equal(me.body.user.dmPolicy, "server_members");
  const patched = await owner.http.json<{ user: { dmPolicy: string; id: string } }>(
    "PATCH",
    "/api/me",
    { json: { dmPolicy: "everyone" } },
  );
  assert.equal(patched.status, 200);
  assert.equal(patched.body.user.dmPolicy, "everyone");
  assert.equal(patched.body.user.id, owner.id);
  assert.equal((await openDm(outsider, [owner.id])).status, 201);
  await owner.http.json("PATCH", "/api/me", { json: { dmPolicy: "nobody" } });
  assertError(await openDm(member, [owner.id]), 403, "dm_not_allowed");
  assertError(
    await owner.http.json("PATCH", "/api/me", { json: { dmPolicy: "friends" } }),
    400,
    "invalid_dm_policy",
  );
});

appTest("dms - bad and unknown ids", async (app) => {
  const { owner, member } = await room(app);
  for (const userIds of [undefined, [], "x", [owner.id], [member.id, member.id], [3]]) {
    assertError(await openDm(owner, userIds), 400, "invalid_recipients");
  }
  assertError(
    await openDm(owner, Array.from({ length: 10 }, (_, i) => `u${i}`)),
    400,
    "invalid_recipients",
  );
  assertError(await openDm(owner, ["no-such-user"]), 404, "not_found");
  // A NUL is no id (PostgreSQL refused it in a query: a 500 once).
  assertError(await openDm(owner, ["a\u0000b"]), 404, "not_found");
  assert.equal(await status(owner, "PUT", "/api/users/no-such-user/block"), 404);
  assert.equal(await status(owner, "PUT", "/api/users/a%00b/block"), 404);
});

appTest("dms - blocks: no new DM with the blocker, no sending into the old one", async (app) => {
  const { owner, member } = await room(app);
  const dm = (await openDm(owner, [member.id])).body.channel;
  await say(owner, dm.id, "before");
  assert.equal(await status(member, "PUT", `/api/users/${owner.id}/block`), 204);
  assert.equal(await status(member, "PUT", `/api/users/${owner.id}/block`), 204);
  assertError(
    await owner.http.json("POST", `/api/channels/${dm.id}/messages`, { json: { content: "hey" } }),
    403,
    "blocked",
  );
  assertError(
    await member.http.json("POST", `/api/channels/${dm.id}/messages`, { json: { content: "x" } }),
    403,
    "blocked",
  );
  assertError(await openDm(owner, [member.id]), 403, "dm_not_allowed");
  // History stays readable.
  assert.equal((await page(owner, dm.id)).length, 1);
  assert.equal(await status(member, "DELETE", `/api/users/${owner.id}/block`), 204);
  await say(owner, dm.id, "after");
});

appTest("dms - group DMs: create, add, leave, limits", async (app) => {
  const { owner, member, outsider } = await room(app);
  const third = await register(app, "third");
  // `third` is in no server with anyone: only reachable with dmPolicy everyone.
  assertError(await openDm(owner, [member.id, third.id]), 403, "dm_not_allowed");
  await third.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
  const created = await openDm(owner, [member.id, third.id]);
  assert.equal(created.status, 201);
  const group = created.body.channel;
  assert.equal(group.kind, "group_dm");
  assert.deepEqual(group.recipients.map((u) => u.id).sort(), [member.id, third.id].sort());
  // A second group with the same people is another channel.
  const other = await openDm(owner, [member.id, third.id]);
  assert.notEqual(other.body.channel.id, group.id);

  await say(third, group.id, "hi all");
  assert.equal(await status(outsider, "GET", `/api/channels/${group.id}/messages`), 404);
  // The outsider shares a server with nobody here and has the default policy: member may not add.
  await outsider.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
  assert.equal(await status(member, "PUT", `/api/dms/${group.id}/recipients/${outsider.id}`), 204);
  assert.deepEqual((await page(outsider, group.id)).map((m) => m.content), ["hi all"]);
  // One may remove only oneself.
  assert.equal(
    await status(outsider, "DELETE", `/api/dms/${group.id}/recipients/${third.id}`),
    403,
  );
  assert.equal(
    await status(outsider, "DELETE", `/api/dms/${group.id}/recipients/${outsider.id}`),
    204,
  );
  assert.equal(await status(outsider, "GET", `/api/channels/${group.id}/messages`), 404);
  // A one-to-one DM has no recipients to change.
  const pair = (await openDm(owner, [member.id])).body.channel;
  assertError(
    await owner.http.json("PUT", `/api/dms/${pair.id}/recipients/${third.id}`),
    400,
    "not_group_dm",
  );
  // At most ten people.
  const more = await Promise.all(
    Array.from({ length: 8 }, (_, i) => register(app, `extra${i}`)),
  );
  for (const person of more) {
    await person.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
  }
  const big = (await openDm(owner, [member.id, ...more.slice(0, 8).map((p) => p.id)])).body.channel;
  assert.equal(big.recipients.length, 9);
  assertError(
    await owner.http.json("PUT", `/api/dms/${big.id}/recipients/${third.id}`),
    400,
    "dm_full",
  );
}, { RATE_LIMITS: "off" });

appTest("dms - closing hides a DM until it is opened or written to again", async (app) => {
  const { owner, member } = await room(app);
  const dm = (await openDm(owner, [member.id])).body.channel;
  await say(owner, dm.id, "one");
  assert.equal(await status(member, "DELETE", `/api/channels/${dm.id}`), 204);
  assert.deepEqual(await listDms(member), []);
  // Still there for the other side, and not deleted.
  assert.equal((await listDms(owner)).length, 1);
  await say(owner, dm.id, "two");
  assert.deepEqual((await listDms(member)).map((d) => d.id), [dm.id]);
  assert.equal(await status(member, "DELETE", `/api/channels/${dm.id}`), 204);
  assert.equal((await openDm(member, [owner.id])).status, 200);
  assert.deepEqual((await listDms(member)).map((d) => d.id), [dm.id]);
});

appTest("dms - the list: newest activity first, with seqs", async (app) => {
  const { owner, member } = await room(app);
  const third = await register(app, "third");
  await third.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
  const a = (await openDm(owner, [member.id])).body.channel;
  const b = (await openDm(owner, [third.id])).body.channel;
  assert.deepEqual((await listDms(owner)).map((d) => d.id), [b.id, a.id]);
  await say(member, a.id, "news");
  const listed = await listDms(owner);
  assert.deepEqual(listed.map((d) => d.id), [a.id, b.id]);
  assert.equal(listed[0].lastSeq, 1);
  assert.equal(listed[0].readSeq, 0);
});

appTest(
  "dms - search covers the caller's DMs; uploads and profile cards work there",
  async (app) => {
    const { owner, member, outsider } = await room(app);
    await outsider.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
    const dm = (await openDm(owner, [outsider.id])).body.channel;
    await say(owner, dm.id, "the secret needle");
    type Results = { results: { channelId: string; serverId: string | null }[] };
    // New messages are searchable within 2 s (API.md "Precisions"): poll until then.
    let found: Results["results"] = [];
    for (let tries = 0; tries < 100 && found.length === 0; tries++) {
      found = (await outsider.http.json<Results>("GET", "/api/search?q=needle")).body.results;
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 30));
    }
    assert.deepEqual(found.map((r) => [r.channelId, r.serverId]), [[dm.id, null]]);
    const hidden = await member.http.json<Results>("GET", "/api/search?q=needle");
    assert.deepEqual(hidden.body.results, []);

    const upload = await outsider.http.json<{ attachment: { id: string; url: string } }>(
      "POST",
      `/api/channels/${dm.id}/attachments?filename=note.txt`,
      { body: "hello file", headers: { "Content-Type": "text/plain" } },
    );
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    const sent = await say(outsider, dm.id, "", { attachments: [upload.body.attachment.id] });
    assert.equal(sent.attachments?.length, 1);
    const file = await owner.http.request("GET", upload.body.attachment.url);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), "hello file");
    assert.equal(await status(member, "GET", upload.body.attachment.url), 404);

    // Sharing only a DM is enough to see someone's profile card.
    assert.equal(await status(outsider, "GET", `/api/users/${owner.id}`), 200);
    assert.equal(await status(outsider, "GET", `/api/users/${member.id}`), 404);
  },
);

appTest("dms - naming a group DM", async (app) => {
  const { owner, member } = await room(app);
  const third = await register(app, "third");
  await third.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
  const group = (await openDm(owner, [member.id, third.id])).body.channel;
  const memberWs = await member.connect();
  const renamed = await third.http.json<DmAnswer>("PATCH", `/api/channels/${group.id}`, {
    json: { name: "  Trio  " },
  });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.channel.name, "Trio");
  assert.equal((await memberWs.next("dm_updated")).channel.name, "Trio");
  assert.equal((await listDms(owner))[0].name, "Trio");
  // Names are checked as other names are: text, no control or direction characters, at most
  // GROUP_DM_NAME_MAX_LENGTH characters (not UTF-16 units).
  for (const name of [7, "a\u0000b", "a\u202eb", "x".repeat(GROUP_DM_NAME_MAX_LENGTH + 1)]) {
    assertError(
      await third.http.json("PATCH", `/api/channels/${group.id}`, { json: { name } }),
      400,
      "invalid_channel_name",
    );
  }
  const emoji = "😀".repeat(GROUP_DM_NAME_MAX_LENGTH);
  const long = await third.http.json<DmAnswer>("PATCH", `/api/channels/${group.id}`, {
    json: { name: emoji },
  });
  assert.equal(long.body.channel.name, emoji);
  const pair = (await openDm(owner, [member.id])).body.channel;
  assertError(
    await owner.http.json("PATCH", `/api/channels/${pair.id}`, { json: { name: "x" } }),
    400,
    "not_group_dm",
  );
  const cleared = await owner.http.json<DmAnswer>("PATCH", `/api/channels/${group.id}`, {
    json: { name: null },
  });
  assert.equal(cleared.body.channel.name, null);
  await memberWs.close();
});
