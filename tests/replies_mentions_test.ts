/**
 * Replies and mentions through the real app on both stores, over HTTP and the socket: the
 * preview built when read (edits show, a deletion shows as `deleted`), replies stay in one
 * channel, `@username` of a member resolved at send, `@everyone`/`@here` only with
 * mention_everyone.
 */
import assert from "node:assert/strict";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { readBack, say } from "./helpers/conversations.ts";
import { assertError } from "./helpers/governance.ts";
import { grant } from "./helpers/grant_role.ts";
import { room } from "./helpers/people.ts";

appTest("replies - preview when read, live, edits and deletions of the original", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const original = await say(owner, channelId, "the   original\nmessage");
  assert.equal(original.replyTo, null);
  const memberWs = await member.connect();

  const reply = await say(member, channelId, "a reply", { replyTo: original.id });
  assert.deepEqual(reply.replyTo, {
    id: original.id,
    seq: original.seq,
    author: original.author,
    excerpt: "the original message",
  });
  const live = await memberWs.next("message", (e) => e.message.id === reply.id);
  assert.deepEqual(live.message.replyTo, reply.replyTo);

  // Over the socket too.
  memberWs.send({
    type: "send",
    channelId,
    content: "socket reply",
    nonce: "n1",
    replyTo: original.id,
  });
  const ack = await memberWs.next("ack", (e) => e.nonce === "n1");
  assert.equal((ack.message.replyTo as { id: string }).id, original.id);

  // The preview follows the original.
  const edited = await owner.http.json("PATCH", `/api/messages/${original.id}`, {
    json: { content: "edited original" },
  });
  assert.equal(edited.status, 200);
  const read = await readBack(member, channelId, reply.id);
  assert.equal((read.replyTo as { excerpt: string }).excerpt, "edited original");
  assert.equal((await owner.http.request("DELETE", `/api/messages/${original.id}`)).status, 204);
  assert.deepEqual((await readBack(member, channelId, reply.id)).replyTo, {
    id: original.id,
    deleted: true,
  });

  // A reply stays in its channel; an unknown (or deleted) message is no original.
  const other = await owner.http.json<{ channel: { id: string } }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json: { name: "other" } },
  );
  const elsewhere = await say(owner, other.body.channel.id, "elsewhere");
  for (const replyTo of [elsewhere.id, original.id, "nope", 42]) {
    assertError(
      await member.http.json("POST", `/api/channels/${channelId}/messages`, {
        json: { content: "x", replyTo },
      }),
      400,
      "invalid_reply",
    );
  }
  memberWs.send({ type: "send", channelId, content: "x", nonce: "n2", replyTo: "nope" });
  const error = await memberWs.next("error", (e) => e.nonce === "n2");
  assert.equal(error.code, "invalid_reply");
  await memberWs.close();
});

appTest("mentions - members resolved at send, @everyone needs mention_everyone", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const mentions = (m: WireMessage) => m.mentions;

  const plain = await say(member, channelId, "hi @owner and @nobody and @outsider, mail a@owner");
  // The outsider exists but is not a member: plain text like @nobody.
  assert.deepEqual(mentions(plain), { users: [owner.id], everyone: false });
  assert.deepEqual(mentions(await say(member, channelId, "no mentions")), {
    users: [],
    everyone: false,
  });

  // @everyone / @here without mention_everyone (not in @everyone's defaults) count for nothing.
  assert.deepEqual(mentions(await say(member, channelId, "@everyone look")), {
    users: [],
    everyone: false,
  });
  assert.equal(mentions(await say(owner, channelId, "@everyone look"))!.everyone, true);
  assert.equal(mentions(await say(owner, channelId, "@here look @MEMBER"))!.everyone, true);
  await grant(owner, serverId, member, ["mention_everyone"]);
  const here = await say(member, channelId, "@here @member");
  assert.deepEqual(mentions(here), { users: [member.id], everyone: true });
  // Stored: read back the same.
  assert.deepEqual((await readBack(owner, channelId, here.id)).mentions, mentions(here));
  assert.deepEqual((await readBack(owner, channelId, plain.id)).mentions, {
    users: [owner.id],
    everyone: false,
  });

  // Over the socket too.
  const ws = await member.connect();
  ws.send({ type: "send", channelId, content: "ping @owner", nonce: "m1" });
  const ack = await ws.next("ack", (e) => e.nonce === "m1");
  assert.deepEqual(ack.message.mentions, { users: [owner.id], everyone: false });
  await ws.close();
});
