/** GET /api/me/export through the real app on both stores: the ZIP, its files, its limits. */
import assert from "node:assert/strict";
import { unzipSync } from "fflate";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import type { UserRecord } from "../db/store.ts";
import { DataExportService } from "../lib/accounts/data_export_service.ts";
import { RateLimited } from "../lib/errors.ts";
import { DATA_EXPORTS_PER_WINDOW } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { register, room } from "./helpers/people.ts";
import type { Person } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

interface ExportFiles {
  profile: { user: { id: string; username: string; createdAt: string }; exportedAt: string };
  memberships: {
    server: { id: string; name: string };
    joinedAt: string;
    channels: { id: string; name: string }[];
  }[];
  messages: WireMessage[];
  names: string[];
}

/** Downloads the person's export and reads its three files. */
async function exportOf({ http, username }: Person): Promise<ExportFiles> {
  const response = await http.request("GET", "/api/me/export");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), "application/zip");
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  assert.equal(
    response.headers.get("Content-Disposition"),
    `attachment; filename="salon-export-${username}.zip"`,
  );
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  const text = (name: string) => new TextDecoder().decode(files[name]);
  const lines = text("messages.jsonl").split("\n");
  assert.equal(lines.pop(), "", "messages.jsonl ends with a newline");
  return {
    profile: JSON.parse(text("profile.json")),
    memberships: JSON.parse(text("memberships.json")),
    messages: lines.map((line) => JSON.parse(line)),
    names: Object.keys(files).sort(),
  };
}

async function send(person: Person, channelId: string, content: string): Promise<WireMessage> {
  const sent = await person.http.json<{ message: WireMessage }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content } },
  );
  assert.equal(sent.status, 201);
  return sent.body.message;
}

/** A second server of `owner`'s, with its first channel. */
async function secondServer(owner: Person) {
  const created = await owner.http.json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    { json: { name: "Elsewhere" } },
  );
  assert.equal(created.status, 201);
  return { serverId: created.body.server.id, channelId: created.body.channels[0].id };
}

appTest(
  "GET /api/me/export - a ZIP of the profile, the memberships and own messages",
  async (app) => {
    const { owner, member, serverId, channelId } = await room(app);
    const elsewhere = await secondServer(member);
    const mine = [
      await send(member, channelId, "hello **room**"),
      await send(member, elsewhere.channelId, "line one\nline two"),
      await send(member, channelId, "émoji 🎉"),
    ];
    await send(owner, channelId, "the owner's, not the member's");

    const files = await exportOf(member);

    assert.deepEqual(files.names, ["memberships.json", "messages.jsonl", "profile.json"]);
    const me = await member.http.json<{ user: unknown }>("GET", "/api/me");
    assert.deepEqual(files.profile.user, me.body.user);
    assert.deepEqual(Object.keys(files.profile).sort(), ["exportedAt", "user"]);
    assert.ok(!Number.isNaN(Date.parse(files.profile.exportedAt)));
    assert.deepEqual(
      files.memberships.map((m) => m.server.id),
      [serverId, elsewhere.serverId],
      "oldest membership first",
    );
    for (const membership of files.memberships) {
      assert.ok(!Number.isNaN(Date.parse(membership.joinedAt)));
      assert.equal(membership.channels.length, 1);
    }
    assert.deepEqual(files.messages, mine, "own messages, oldest first, as the API shapes them");
  },
);

appTest("GET /api/me/export - another user's messages and deleted ones are absent", async (app) => {
  const { owner, member, outsider, channelId } = await room(app);
  const kept = await send(member, channelId, "kept");
  const deleted = await send(member, channelId, "deleted later");
  const byOwner = await send(owner, channelId, "owner's");
  assert.equal((await member.http.request("DELETE", `/api/messages/${deleted.id}`)).status, 204);

  assert.deepEqual((await exportOf(member)).messages.map((m) => m.id), [kept.id]);
  assert.deepEqual((await exportOf(owner)).messages.map((m) => m.id), [byOwner.id]);
  const stranger = await exportOf(outsider);
  assert.deepEqual(stranger.messages, []);
  assert.deepEqual(stranger.memberships, []);
});

appTest(
  "GET /api/me/export - messages stay after leaving their server, the membership goes",
  async (app) => {
    const { member, serverId, channelId } = await room(app);
    const sent = await send(member, channelId, "said before leaving");
    assert.equal(
      (await member.http.request("DELETE", `/api/servers/${serverId}/members/me`)).status,
      204,
    );
    const files = await exportOf(member);
    assert.deepEqual(files.messages, [sent]);
    assert.deepEqual(files.memberships, []);
  },
);

appTest("GET /api/me/export - an edited message is exported as it reads now", async (app) => {
  const { member, channelId } = await room(app);
  const sent = await send(member, channelId, "typo");
  const edited = await member.http.json<{ message: WireMessage }>(
    "PATCH",
    `/api/messages/${sent.id}`,
    { json: { content: "fixed" } },
  );
  assert.equal(edited.status, 200);
  assert.deepEqual((await exportOf(member)).messages, [edited.body.message]);
});

appTest("HEAD /api/me/export - says what GET would, and starts nothing", async (app) => {
  const alice = await register(app, "alice");
  for (let i = 0; i < DATA_EXPORTS_PER_WINDOW + 1; i++) {
    const head = await alice.http.request("HEAD", "/api/me/export");
    assert.equal(head.status, 200, "a HEAD is neither counted nor left running");
    assert.equal(head.headers.get("Content-Type"), "application/zip");
  }
  for (let i = 0; i < DATA_EXPORTS_PER_WINDOW; i++) await exportOf(alice);
  const over = await alice.http.request("HEAD", "/api/me/export");
  assert.equal(over.status, 429);
  assert.ok(Number(over.headers.get("Retry-After")) > 0);
});

appTest("GET /api/me/export - unauthenticated is 401", async (app: TestApp) => {
  const response = await fetch(`${app.url}/api/me/export`);
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error.code, "unauthorized");
});

appTest("GET /api/me/export - at most DATA_EXPORTS_PER_WINDOW an hour", async (app) => {
  const alice = await register(app, "alice");
  for (let i = 0; i < DATA_EXPORTS_PER_WINDOW; i++) await exportOf(alice);
  const over = await alice.http.json<{ error: { code: string; message: string } }>(
    "GET",
    "/api/me/export",
  );
  assert.equal(over.status, 429);
  assert.equal(over.body.error.code, "rate_limited");
  assert.match(over.body.error.message, /an hour/);
  assert.ok(Number(over.headers.get("Retry-After")) > 0);
});

/** The store's record of a registered person, as the route hands it to the service. */
async function recordOf(app: TestApp, person: Person): Promise<UserRecord> {
  const user = await app.testStore.store.findUserById(person.id);
  assert.ok(user);
  return user;
}

/** Reads an export stream to its end and returns its messages' ids. */
async function messageIdsIn(body: ReadableStream<Uint8Array>): Promise<string[]> {
  const files = unzipSync(new Uint8Array(await new Response(body).arrayBuffer()));
  const lines = new TextDecoder().decode(files["messages.jsonl"]).trimEnd();
  return lines === "" ? [] : lines.split("\n").map((line) => JSON.parse(line).id);
}

appTest("DataExportService - pages through the store, a full last page included", async (app) => {
  const { member, channelId } = await room(app);
  const sent = [];
  for (let i = 0; i < 10; i++) sent.push(await send(member, channelId, `m${i}`));
  const exports = new DataExportService({ store: app.testStore.store, pageSize: 5 });
  const body = await exports.start(await recordOf(app, member));
  assert.deepEqual(await messageIdsIn(body), sent.map((m) => m.id));
});

appTest("DataExportService - one export at a time per user, then 429", async (app) => {
  const [alice, bob] = await Promise.all([register(app, "alice"), register(app, "bob")]);
  const exports = new DataExportService({ store: app.testStore.store });
  const aliceRecord = await recordOf(app, alice);
  // Nobody reads it yet, so it is still running.
  const first = await exports.start(aliceRecord);

  await assert.rejects(
    exports.start(aliceRecord),
    (error) => error instanceof RateLimited && /already being downloaded/.test(error.message),
  );
  await messageIdsIn(await exports.start(await recordOf(app, bob))); // others may

  await messageIdsIn(first);
  await messageIdsIn(await exports.start(aliceRecord)); // once downloaded, another may start
});

appTest("DataExportService - a cancelled download frees the user's slot", async (app) => {
  const alice = await register(app, "alice");
  const exports = new DataExportService({ store: app.testStore.store });
  const aliceRecord = await recordOf(app, alice);
  await (await exports.start(aliceRecord)).cancel();
  await messageIdsIn(await exports.start(aliceRecord));
});
