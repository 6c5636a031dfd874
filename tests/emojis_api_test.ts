/**
 * A server's custom emoji on both stores: manage_server to add and delete, names
 * `[a-z0-9_]{2,32}` unique in the server, raw images ≤ 256 KiB (413 above), the image for
 * members only, and `:name:` in reactions.
 */
import assert from "node:assert/strict";
import { CUSTOM_EMOJI_MAX_BYTES } from "../lib/limits.ts";
import type { WireEmoji } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { react, readBack, say } from "./helpers/conversations.ts";
import { GIF_1X1, PNG_1X1 } from "./helpers/fixtures.ts";
import { assertError } from "./helpers/governance.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";

function upload(person: Person, serverId: string, name: string, body: Uint8Array) {
  return person.http.json<{ emoji: WireEmoji }>(
    "POST",
    `/api/servers/${serverId}/emojis?name=${encodeURIComponent(name)}`,
    { body: body as Uint8Array<ArrayBuffer>, headers: { "Content-Type": "image/png" } },
  );
}

appTest("custom emoji - add, list, image, react, delete", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const created = await upload(owner, serverId, "party_1", PNG_1X1);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const emoji = created.body.emoji;
  assert.equal(emoji.name, "party_1");
  assert.equal(emoji.url, `/api/servers/${serverId}/emojis/${emoji.id}`);
  assert.equal((await upload(owner, serverId, "wave", GIF_1X1)).status, 201);

  const listed = await member.http.json<{ emojis: WireEmoji[] }>(
    "GET",
    `/api/servers/${serverId}/emojis`,
  );
  assert.deepEqual(listed.body.emojis.map((e) => e.name), ["party_1", "wave"]);
  const image = await member.http.request("GET", emoji.url);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get("Content-Type"), "image/png");
  assert.deepEqual(new Uint8Array(await image.arrayBuffer()), PNG_1X1);
  assertError(await outsider.http.json("GET", emoji.url), 404, "not_found");
  assertError(await outsider.http.json("GET", `/api/servers/${serverId}/emojis`), 404, "not_found");

  // In reactions it is `:name:`; an unknown name is no emoji.
  const message = await say(member, channelId, "custom");
  assert.equal(await react(member, message.id, ":party_1:"), 204);
  assert.deepEqual((await readBack(member, channelId, message.id)).reactions, [
    { emoji: ":party_1:", count: 1, me: true },
  ]);
  assert.equal(await react(member, message.id, ":nope:"), 400);

  // Deleting needs manage_server; a deleted emoji's reaction may still be taken off.
  assertError(
    await member.http.json("DELETE", `/api/servers/${serverId}/emojis/${emoji.id}`),
    403,
    "missing_permissions",
  );
  const deleted = await owner.http.request("DELETE", `/api/servers/${serverId}/emojis/${emoji.id}`);
  assert.equal(deleted.status, 204);
  assertError(
    await owner.http.json("DELETE", `/api/servers/${serverId}/emojis/${emoji.id}`),
    404,
    "not_found",
  );
  assertError(await member.http.json("GET", emoji.url), 404, "not_found");
  assert.equal(await react(member, message.id, ":party_1:"), 400);
  assert.equal(await react(member, message.id, ":party_1:", "DELETE"), 204);
  assert.deepEqual((await readBack(member, channelId, message.id)).reactions, []);

  // Adding and removing are in the audit log, with the emoji's name.
  const log = await owner.http.json<{
    entries: { action: string; targetType: string; targetId: string; changes: unknown[] }[];
  }>("GET", `/api/servers/${serverId}/audit-log?action=emoji_delete`);
  assert.deepEqual(log.body.entries.map((e) => [e.action, e.targetType, e.targetId, e.changes]), [
    ["emoji_delete", "emoji", emoji.id, [{ key: "name", old: "party_1", new: null }]],
  ]);
  const created_ = await owner.http.json<{ entries: { actorId: string; targetId: string }[] }>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=emoji_create`,
  );
  assert.ok(created_.body.entries.some((e) => e.targetId === emoji.id));
  assert.equal(created_.body.entries[0].actorId, owner.id);
});

appTest("custom emoji - names, sizes, types and permissions", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  for (const name of ["a", "Bad", "has-dash", "x".repeat(33), ""]) {
    assertError(await upload(owner, serverId, name, PNG_1X1), 400, "invalid_emoji_name");
  }
  assert.equal((await upload(owner, serverId, "ok", PNG_1X1)).status, 201);
  assertError(await upload(owner, serverId, "ok", PNG_1X1), 409, "emoji_exists");
  assertError(
    await upload(owner, serverId, "text", new TextEncoder().encode("not an image")),
    400,
    "invalid_image",
  );
  const big = new Uint8Array(CUSTOM_EMOJI_MAX_BYTES + 1);
  big.set(PNG_1X1);
  assertError(await upload(owner, serverId, "big", big), 413, "payload_too_large");
  assertError(await upload(member, serverId, "mine", PNG_1X1), 403, "missing_permissions");
  assertError(await upload(outsider, serverId, "mine", PNG_1X1), 404, "not_found");
});
