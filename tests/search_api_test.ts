/**
 * GET /api/search through the real app on both stores: only channels the caller may read
 * (an overwrite denying view_channel, one denying read_history, a server they are not in),
 * filters by name, `has:file`/`has:image` on uploaded files, results decorated as history is,
 * paging by `next`, edits and deletions at once, and bad input answered 400 naming the problem.
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { react, say } from "./helpers/conversations.ts";
import { assertError, putOverwrite } from "./helpers/governance.ts";
import { type Person, room } from "./helpers/people.ts";

interface Page {
  results: { message: WireMessage; channelId: string; serverId: string }[];
  next: string | null;
}

async function search(person: Person, params: Record<string, string>) {
  return await person.http.json<Page>("GET", `/api/search?${new URLSearchParams(params)}`);
}

/** The contents `person` finds for `q`, newest first. */
async function contents(person: Person, q: string, extra: Record<string, string> = {}) {
  const answer = await search(person, { q, ...extra });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.results.map((r) => r.message.content);
}

async function createChannel(owner: Person, serverId: string, name: string): Promise<string> {
  const answer = await owner.http.json<{ channel: { id: string } }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json: { name } },
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.channel.id;
}

appTest("search - only readable channels of the caller's servers, decorated", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const hidden = await createChannel(owner, serverId, "hidden");
  const archive = await createChannel(owner, serverId, "archive");
  await putOverwrite(owner, hidden, member.id, { type: "member", deny: ["view_channel"] });
  await putOverwrite(owner, archive, member.id, { type: "member", deny: ["read_history"] });
  const theirs = await owner.http.json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    { json: { name: "Elsewhere" } },
  );
  const elsewhere = theirs.body.channels[0].id;

  const first = await say(owner, channelId, "The plan is ready");
  await say(owner, hidden, "the secret plan");
  await say(owner, archive, "an archived plan");
  await say(owner, elsewhere, "a plan elsewhere");
  const reply = await say(member, channelId, `@${owner.username} about the PLAN`, {
    replyTo: first.id,
  });
  assert.equal(await react(owner, reply.id, "👍"), 204);
  assert.equal(await react(member, reply.id, "👍"), 204);

  const answer = await search(member, { q: "plan" });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.results.map((r) => [r.message.content, r.channelId, r.serverId]), [
    [`@${owner.username} about the PLAN`, channelId, serverId],
    ["The plan is ready", channelId, serverId],
  ]);
  assert.equal(answer.body.next, null);
  // The same shape history gives, for this reader.
  const found = answer.body.results[0].message;
  assert.deepEqual(found.reactions, [{ emoji: "👍", count: 2, me: true }]);
  assert.equal(found.replyTo?.id, first.id);
  assert.deepEqual(found.mentions, { users: [owner.id], everyone: false });
  const history = await member.http.json<{ messages: WireMessage[] }>(
    "GET",
    `/api/channels/${channelId}/messages`,
  );
  assert.deepEqual(found, history.body.messages.find((m) => m.id === reply.id));

  // The owner reads everything, in both servers; with serverId, one server.
  assert.equal((await contents(owner, "plan")).length, 5);
  assert.deepEqual(await contents(owner, "plan", { serverId: theirs.body.server.id }), [
    "a plan elsewhere",
  ]);
  // Neither a hidden channel nor a server they are not in shows, even by name.
  assert.deepEqual(await contents(member, "secret"), []);
  assert.deepEqual(await contents(member, "elsewhere"), []);
  assertError(await search(member, { q: "plan in:hidden" }), 400, "invalid_query");
  assertError(await search(member, { q: "plan in:nowhere" }), 400, "invalid_query");
  assertError(
    await search(member, { q: "plan", serverId: theirs.body.server.id }),
    404,
    "not_found",
  );
  assertError(await search(outsider, { q: "plan", serverId }), 404, "not_found");
  assert.deepEqual(await contents(outsider, "plan"), []);
  assert.equal((await contents(member, "plan", { serverId: "" })).length, 2);
});

appTest("search - filters by name, paging, edits and deletions at once", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const random = await createChannel(owner, serverId, "random");
  await say(owner, channelId, "lunch at noon? https://food.example/menu");
  const mine = await say(member, channelId, "lunch sounds good");
  await say(member, random, "lunch in random");
  await say(owner, channelId, `@${member.username} lunch!`);

  assert.deepEqual(await contents(member, `lunch from:${member.username}`), [
    "lunch in random",
    "lunch sounds good",
  ]);
  assert.deepEqual(await contents(member, "lunch in:random"), ["lunch in random"]);
  assert.deepEqual(await contents(member, `mentions:${member.username}`), [
    `@${member.username} lunch!`,
  ]);
  assert.deepEqual(await contents(member, "has:link"), [
    "lunch at noon? https://food.example/menu",
  ]);
  assert.deepEqual(await contents(member, "lunch has:file"), []);
  assert.deepEqual(await contents(member, "lunch has:image"), []);
  assert.deepEqual(await contents(member, "lunch -noon -random -good"), [
    `@${member.username} lunch!`,
  ]);

  // Pages of 2, newest first, `next` passed back as `before`.
  const seen: string[] = [];
  let before = "";
  for (let i = 0; i < 3; i++) {
    const answer = await search(member, { q: "lunch", limit: "2", ...(before ? { before } : {}) });
    assert.equal(answer.status, 200);
    seen.push(...answer.body.results.map((r) => r.message.content));
    if (answer.body.next === null) break;
    before = answer.body.next;
  }
  assert.equal(seen.length, 4);
  assert.equal(new Set(seen).size, 4);

  const edited = await member.http.json("PATCH", `/api/messages/${mine.id}`, {
    json: { content: "dinner sounds better" },
  });
  assert.equal(edited.status, 200);
  assert.deepEqual(await contents(member, "dinner"), ["dinner sounds better"]);
  assert.equal((await contents(member, "lunch")).length, 3);
  const deleted = await member.http.request("DELETE", `/api/messages/${mine.id}`);
  await deleted.body?.cancel();
  assert.equal(deleted.status, 204);
  assert.deepEqual(await contents(member, "dinner"), []);
});

/** Uploads `bytes` to the channel as `person` (201 expected); the attachment's id. */
async function uploaded(person: Person, channelId: string, bytes: Uint8Array, filename: string) {
  const answer = await person.http.json<{ attachment: { id: string } }>(
    "POST",
    `/api/channels/${channelId}/attachments?filename=${encodeURIComponent(filename)}`,
    { body: bytes as BodyInit, headers: { "Content-Type": "application/octet-stream" } },
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.attachment.id;
}

appTest(
  "search - has:file and has:image match the files sent, typed from their bytes",
  async (app) => {
    const { channelId, owner, member } = await room(app);
    const png = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: "#0a0" } }).png()
        .toBuffer(),
    );
    const picture = await uploaded(owner, channelId, png, "cat.png");
    // Named like an image, but its bytes are text: a file, not an image.
    const text = await uploaded(owner, channelId, new TextEncoder().encode("notes"), "fake.png");
    await say(owner, channelId, "trip photo", { nonce: "p", attachments: [picture] });
    await say(owner, channelId, "trip notes", { nonce: "t", attachments: [text] });
    await say(owner, channelId, "trip plans");
    assert.deepEqual(await contents(member, "has:file"), ["trip notes", "trip photo"]);
    assert.deepEqual(await contents(member, "has:image"), ["trip photo"]);
    assert.deepEqual(await contents(member, "trip has:image"), ["trip photo"]);
    assert.deepEqual(await contents(member, "plans has:file"), []);
  },
);

appTest("search - bad input is a 400 naming it; no session is a 401", async (app) => {
  const { member } = await room(app);
  const refused = await search(member, { q: "has:video" });
  assertError(refused, 400, "invalid_query");
  assert.match(JSON.stringify(refused.body), /has: must be link, file or image: got \\"video\\"/);
  assertError(await search(member, { q: "before:2024-13-01" }), 400, "invalid_query");
  assertError(await search(member, { q: "from:no_such_user_here" }), 400, "invalid_query");
  assertError(await search(member, { q: "" }), 400, "invalid_query");
  assertError(await search(member, {}), 400, "invalid_query");
  assertError(await search(member, { q: "x", limit: "0" }), 400, "invalid_limit");
  assertError(await search(member, { q: "x", limit: "101" }), 400, "invalid_limit");
  assertError(await search(member, { q: "x", limit: "ten" }), 400, "invalid_limit");
  assertError(await search(member, { q: "x", before: "z".repeat(200) }), 400, "invalid_cursor");
  const anonymous = await fetch(`${app.url}/api/search?q=x`);
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 401);
});

appTest(
  "search - at most SEARCH_RATE_LIMIT searches per user per 10 s: then 429 with Retry-After",
  async (app) => {
    const { owner, member } = await room(app);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await search(owner, { q: `word${i}` });
      statuses.push(answer.status);
      if (answer.status === 429) {
        assert.ok(Number(answer.headers.get("Retry-After")) > 0);
        assertError(answer, 429, "rate_limited");
      }
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal((await search(member, { q: "word" })).status, 200, "counted per user");
  },
  { SEARCH_RATE_LIMIT: "3" },
);
