/**
 * Reactions through the real app on both stores: one canonical form per emoji (with or
 * without U+FE0F), idempotent PUT (a repeat publishes nothing), counts with `me`, who reacted,
 * live events, permissions (add_reactions, time-outs, manage_messages for others'), and the
 * 20-distinct limit.
 */
import assert from "node:assert/strict";
import { MESSAGE_REACTIONS_MAX } from "../lib/limits.ts";
import type { WireUser } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { page, react, reactionPath, readBack, say } from "./helpers/conversations.ts";
import { assertError } from "./helpers/governance.ts";
import { setEveryone } from "./helpers/grant_role.ts";
import { room } from "./helpers/people.ts";

appTest("reactions - canonical form, idempotent, me, users, live", async (app) => {
  const { channelId, owner, member, outsider } = await room(app);
  const message = await say(owner, channelId, "react to me");
  const memberWs = await member.connect();

  assert.equal(await react(owner, message.id, "\u2764\uFE0F"), 204); // ❤️
  const added = await memberWs.next("reaction_added");
  assert.deepEqual(added, {
    type: "reaction_added",
    channelId,
    messageId: message.id,
    emoji: "\u2764",
    userId: owner.id,
  });
  assert.equal(await react(member, message.id, "\u2764"), 204); // ❤ without the selector
  // A repeat changes nothing and publishes nothing: the next event seen is the 👍.
  assert.equal(await react(owner, message.id, "\u2764\uFE0F"), 204);
  assert.equal(await react(owner, message.id, "👍"), 204);
  await memberWs.next("reaction_added", (e) => e.emoji === "👍");
  assert.equal(memberWs.all("reaction_added").length, 3);

  const seen = await readBack(member, channelId, message.id);
  assert.deepEqual(seen.reactions, [
    { emoji: "\u2764", count: 2, me: true },
    { emoji: "👍", count: 1, me: false },
  ]);
  assert.deepEqual((await readBack(owner, channelId, message.id)).reactions, [
    { emoji: "\u2764", count: 2, me: true },
    { emoji: "👍", count: 1, me: true },
  ]);

  const users = await member.http.json<{ users: WireUser[] }>(
    "GET",
    reactionPath(message.id, "\u2764\uFE0F"),
  );
  assert.equal(users.status, 200);
  assert.deepEqual(users.body.users.map((u) => u.id), [owner.id, member.id]);
  const after = await member.http.json<{ users: WireUser[] }>(
    "GET",
    `${reactionPath(message.id, "\u2764")}?after=${owner.id}&limit=1`,
  );
  assert.deepEqual(after.body.users.map((u) => u.username), ["member"]);

  assert.equal(await react(member, message.id, "\u2764\uFE0F", "DELETE"), 204);
  const removed = await memberWs.next("reaction_removed");
  assert.deepEqual([removed.emoji, removed.userId], ["\u2764", member.id]);
  // Removing what is not there is fine and silent.
  assert.equal(await react(member, message.id, "\u2764", "DELETE"), 204);
  assert.deepEqual((await readBack(member, channelId, message.id)).reactions, [
    { emoji: "\u2764", count: 1, me: false },
    { emoji: "👍", count: 1, me: false },
  ]);

  // Skin tones and ZWJ sequences are single emoji; text is not, nor are two emoji.
  assert.equal(await react(member, message.id, "👍🏽"), 204);
  assert.equal(await react(member, message.id, "🧑‍💻"), 204);
  for (const bad of ["abc", "👍👍", ":nope:", "x".repeat(200)]) {
    assertError(
      await member.http.json("PUT", reactionPath(message.id, bad)),
      400,
      "invalid_emoji",
    );
  }
  // A broken percent-encoding is no emoji either (not a 500).
  assertError(
    await member.http.json("PUT", `/api/messages/${message.id}/reactions/%E2%9D`),
    400,
    "invalid_emoji",
  );
  // Strangers see nothing of it.
  assertError(await outsider.http.json("PUT", reactionPath(message.id, "👍")), 404, "not_found");
  assertError(await outsider.http.json("GET", reactionPath(message.id, "👍")), 404, "not_found");
  assertError(await member.http.json("PUT", reactionPath("nope", "👍")), 404, "not_found");
  await memberWs.close();
});

appTest("reactions - add_reactions, time-outs and others' reactions", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const message = await say(owner, channelId, "hello");
  assert.equal(await react(owner, message.id, "🎉"), 204);
  assert.equal(await react(member, message.id, "🎉"), 204);

  // Only manage_messages removes someone else's reaction.
  assertError(
    await member.http.json("DELETE", reactionPath(message.id, "🎉", owner.id)),
    403,
    "missing_permissions",
  );
  const memberWs = await member.connect();
  const kicked = await owner.http.request("DELETE", reactionPath(message.id, "🎉", member.id));
  assert.equal(kicked.status, 204);
  const removed = await memberWs.next("reaction_removed");
  assert.equal(removed.userId, member.id);

  await setEveryone(owner, serverId, ["view_channel", "send_messages", "read_history"]);
  assertError(
    await member.http.json("PUT", reactionPath(message.id, "🎉")),
    403,
    "missing_permissions",
  );
  await setEveryone(owner, serverId, [
    "view_channel",
    "send_messages",
    "read_history",
    "add_reactions",
  ]);
  const until = new Date(Date.now() + 3600_000).toISOString();
  const timedOut = await owner.http.json("PATCH", `/api/servers/${serverId}/members/${member.id}`, {
    json: { timeoutUntil: until },
  });
  assert.equal(timedOut.status, 200, JSON.stringify(timedOut.body));
  assertError(await member.http.json("PUT", reactionPath(message.id, "🎉")), 403, "timed_out");
  await memberWs.close();
});

appTest("reactions - at most 20 distinct per message", async (app) => {
  const { channelId, owner, member } = await room(app);
  const message = await say(owner, channelId, "many");
  const emoji = [
    "😀",
    "😁",
    "😂",
    "🤣",
    "😃",
    "😄",
    "😅",
    "😆",
    "😉",
    "😊",
    "😋",
    "😎",
    "😍",
    "😘",
    "🥰",
    "😗",
    "😙",
    "🥲",
    "😚",
    "🙂",
    "🤗",
  ];
  for (const e of emoji.slice(0, MESSAGE_REACTIONS_MAX)) {
    assert.equal(await react(owner, message.id, e), 204);
  }
  assertError(
    await owner.http.json("PUT", reactionPath(message.id, emoji[MESSAGE_REACTIONS_MAX])),
    400,
    "too_many_reactions",
  );
  // One already there may still gain people.
  assert.equal(await react(member, message.id, emoji[0]), 204);
  const reactions = (await page(member, channelId)).find((m) => m.id === message.id)!.reactions!;
  assert.equal(reactions.length, MESSAGE_REACTIONS_MAX);
  assert.deepEqual(reactions[0], { emoji: emoji[0], count: 2, me: true });
});
