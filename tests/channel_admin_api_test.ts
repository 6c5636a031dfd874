/**
 * PATCH / DELETE /api/channels/:id through the real app on both stores: manage_channels,
 * categories, the order within a category, bad input, audit entries and live events.
 */
import assert from "node:assert/strict";
import { CHANNEL_TOPIC_MAX_LENGTH } from "../lib/limits.ts";
import type { WireChannel } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { grant } from "./helpers/grant_role.ts";
import { type Person, room } from "./helpers/people.ts";
import { eventually } from "./helpers/wait.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

async function createChannel(
  owner: Person,
  serverId: string,
  json: Record<string, unknown>,
): Promise<WireChannel> {
  const created = await owner.http.json<{ channel: WireChannel }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.channel;
}

function patch(person: Person, channelId: string, json: unknown) {
  return person.http.json<{ channel: WireChannel } & ErrorBody>(
    "PATCH",
    `/api/channels/${channelId}`,
    { json },
  );
}

/** The server's channels as [name, parent name, position], in display order per parent. */
async function layout(
  person: Person,
  serverId: string,
): Promise<[string, string | null, number][]> {
  const { body } = await person.http.json<{ channels: WireChannel[] }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  const names = new Map(body.channels.map((c) => [c.id, c.name]));
  return body.channels
    .map((c): [string, string | null, number] => [
      c.name,
      c.parentId && names.get(c.parentId)!,
      c.position,
    ])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])) || a[2] - b[2]);
}

appTest("PATCH /api/channels/:id - name and topic with manage_channels, live", async (app) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  const memberWs = await member.connect();
  const changed = await patch(owner, channelId, { name: "Lobby", topic: "  Say hi  " });
  assert.equal(changed.status, 200);
  assert.equal(changed.body.channel.name, "lobby");
  assert.equal(changed.body.channel.topic, "Say hi");
  const event = await memberWs.next("channel_updated");
  assert.equal(event.channel.id, channelId);
  assert.equal(event.channel.topic, "Say hi");

  const refused = await patch(member, channelId, { topic: "mine" });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, "missing_permissions");
  assert.match(refused.body.error.message, /manage_channels/);
  assert.equal((await patch(outsider, channelId, { topic: "x" })).status, 404);
  assert.equal((await patch(owner, crypto.randomUUID(), { topic: "x" })).status, 404);

  const bad: [unknown, string][] = [
    [{ topic: "x".repeat(CHANNEL_TOPIC_MAX_LENGTH + 1) }, "invalid_topic"],
    [{ topic: 5 }, "invalid_topic"],
    [{ name: "no/slash" }, "invalid_channel_name"],
    [{ position: -1 }, "invalid_position"],
    [{ position: 1.5 }, "invalid_position"],
    [{ position: "1" }, "invalid_position"],
    [{ parentId: channelId }, "invalid_parent"],
    [{ parentId: "nope" }, "invalid_parent"],
  ];
  for (const [json, code] of bad) {
    const answer = await patch(owner, channelId, json);
    assert.equal(answer.status, 400, JSON.stringify(json));
    assert.equal(answer.body.error.code, code, JSON.stringify(json));
  }
  await createChannel(owner, serverId, { name: "taken" });
  const clash = await patch(owner, channelId, { name: "taken" });
  assert.equal(clash.status, 409);
  assert.equal(clash.body.error.code, "channel_exists");

  await grant(owner, serverId, member, ["manage_channels"]);
  assert.equal((await patch(member, channelId, { topic: "" })).status, 200);
  const log = await owner.http.json<{ entries: { actorId: string; changes: unknown[] }[] }>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=channel_update`,
  );
  assert.deepEqual(log.body.entries.map((e) => [e.actorId, e.changes]), [
    [member.id, [{ key: "topic", old: "Say hi", new: "" }]],
    [owner.id, [
      { key: "name", old: "general", new: "lobby" },
      { key: "topic", old: "", new: "Say hi" },
    ]],
  ]);
  await memberWs.close();
});

appTest("PATCH /api/channels/:id position - a stable order within the category", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  await createChannel(owner, serverId, { name: "a" });
  const b = await createChannel(owner, serverId, { name: "b" });
  const memberWs = await member.connect();
  const moved = await patch(owner, b.id, { position: 0 });
  assert.equal(moved.status, 200);
  assert.equal(moved.body.channel.position, 0);
  assert.deepEqual(await layout(owner, serverId), [
    ["b", null, 0],
    ["general", null, 1],
    ["a", null, 2],
  ]);
  // The channels that moved down were published too, so every client shows the same order.
  await eventually(
    () => memberWs.all("channel_updated").some((e) => e.channel.id === channelId),
    "general's new position",
  );
  const last = await patch(owner, b.id, { position: 99 });
  assert.equal(last.body.channel.position, 2);
  assert.deepEqual((await layout(owner, serverId)).map(([name]) => name), ["general", "a", "b"]);
  await memberWs.close();
});

appTest("PATCH /api/channels/:id parentId - into a category, never nested", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const topics = await createChannel(owner, serverId, { name: "topics", kind: "category" });
  const other = await createChannel(owner, serverId, { name: "other", kind: "category" });
  const books = await createChannel(owner, serverId, { name: "books" });
  const inside = await patch(owner, books.id, { parentId: topics.id });
  assert.equal(inside.status, 200);
  assert.equal(inside.body.channel.parentId, topics.id);
  const general = await patch(owner, channelId, { parentId: topics.id, position: 0 });
  assert.equal(general.body.channel.position, 0);
  assert.deepEqual(
    (await layout(owner, serverId)).filter(([, parent]) => parent === "topics"),
    [["general", "topics", 0], ["books", "topics", 1]],
  );
  const nested = await patch(owner, other.id, { parentId: topics.id });
  assert.equal(nested.status, 400);
  assert.equal(nested.body.error.code, "invalid_parent");
  const intoText = await patch(owner, books.id, { parentId: channelId });
  assert.equal(intoText.body.error.code, "invalid_parent");
  const out = await patch(owner, books.id, { parentId: null });
  assert.equal(out.body.channel.parentId, null);

  // Deleting a category leaves its channels at the top level, and says so live.
  const memberWs = await member.connect();
  const deleted = await owner.http.request("DELETE", `/api/channels/${topics.id}`);
  assert.equal(deleted.status, 204);
  const freed = await memberWs.next("channel_updated", (e) => e.channel.id === channelId);
  assert.equal(freed.channel.parentId, null);
  const { body } = await owner.http.json<{ channels: WireChannel[] }>(
    "GET",
    `/api/servers/${serverId}`,
  );
  assert.equal(body.channels.find((c) => c.id === channelId)?.parentId, null);
  assert.ok(!body.channels.some((c) => c.id === topics.id));
  await memberWs.close();
});

appTest("DELETE /api/channels/:id - manage_channels; messages gone; live", async (app) => {
  const { serverId, owner, member, outsider } = await room(app);
  const doomed = await createChannel(owner, serverId, { name: "doomed" });
  await owner.http.json("POST", `/api/channels/${doomed.id}/messages`, {
    json: { content: "soon gone" },
  });
  const byMember = await member.http.json<ErrorBody>("DELETE", `/api/channels/${doomed.id}`);
  assert.equal(byMember.status, 403);
  assert.equal(byMember.body.error.code, "missing_permissions");
  assert.equal((await outsider.http.json("DELETE", `/api/channels/${doomed.id}`)).status, 404);

  const memberWs = await member.connect();
  const deleted = await owner.http.request("DELETE", `/api/channels/${doomed.id}`);
  assert.equal(deleted.status, 204);
  const event = await memberWs.next("channel_deleted");
  assert.deepEqual([event.serverId, event.channelId], [serverId, doomed.id]);
  const history = await owner.http.json("GET", `/api/channels/${doomed.id}/messages`);
  assert.equal(history.status, 404);
  assert.equal((await owner.http.json("DELETE", `/api/channels/${doomed.id}`)).status, 404);
  const sent = await owner.http.json("POST", `/api/channels/${doomed.id}/messages`, {
    json: { content: "into the void" },
  });
  assert.equal(sent.status, 404);
  const log = await owner.http.json<{ entries: { targetId: string; actorId: string }[] }>(
    "GET",
    `/api/servers/${serverId}/audit-log?action=channel_delete`,
  );
  assert.deepEqual(log.body.entries.map((e) => [e.actorId, e.targetId]), [[owner.id, doomed.id]]);
  await memberWs.close();
});
