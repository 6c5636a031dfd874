/**
 * Resume converges, on both stores, over HTTP and WebSocket: a socket away while a message is
 * edited, another deleted, a reaction added and a pin set on an OLDER message (below the seq
 * it resumes from) and a new message sent, resumes with `since` (ready.serverTime plus the
 * time until it dropped); after the replay its view of the channel equals the server's.
 */
import assert from "node:assert/strict";
import type { ServerEvent, WireMessage, WireReaction } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { page, react, say } from "./helpers/conversations.ts";
import { putOverwrite } from "./helpers/governance.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";
import { WsClient } from "./helpers/ws_client.ts";

interface Seen {
  content: string;
  reactions: WireReaction[];
  pinned: boolean;
}

/** A client's view of a channel, kept from events as a real client keeps it. */
class View {
  readonly messages = new Map<string, Seen>();
  constructor(readonly meId: string) {}

  apply(event: ServerEvent): void {
    switch (event.type) {
      case "message":
      case "message_updated":
      case "ack":
        return this.put(event.message);
      case "message_deleted":
        this.messages.delete(event.id);
        return;
      case "reaction_added":
      case "reaction_removed":
        return this.react(event.messageId, event.emoji, event.userId, event.type);
      case "message_pinned":
      case "message_unpinned": {
        const seen = this.messages.get(event.messageId);
        if (seen) seen.pinned = event.type === "message_pinned";
      }
    }
  }

  put(message: WireMessage): void {
    this.messages.set(message.id, {
      content: message.content,
      reactions: structuredClone(message.reactions ?? []),
      pinned: message.pinned ?? false,
    });
  }

  react(messageId: string, emoji: string, userId: string, type: string): void {
    const seen = this.messages.get(messageId);
    if (!seen) return;
    const found = seen.reactions.find((r) => r.emoji === emoji);
    const mine = userId === this.meId;
    if (type === "reaction_added") {
      if (found) Object.assign(found, { count: found.count + 1, me: found.me || mine });
      else seen.reactions.push({ emoji, count: 1, me: mine });
    } else if (found) {
      found.count--;
      if (mine) found.me = false;
      if (found.count === 0) seen.reactions.splice(seen.reactions.indexOf(found), 1);
    }
  }
}

async function connect(app: { url: string }, person: Person): Promise<WsClient> {
  return await WsClient.connect(app.url, { cookie: person.http.cookie });
}

appTest("resume with since - edits, deletions, reactions and pins converge", async (app) => {
  const { channelId, owner, member } = await room(app);
  const older = await say(owner, channelId, "older");
  const view = new View(member.id);
  for (const message of await page(member, channelId)) view.put(message);

  const first = await connect(app, member);
  first.send({ type: "resume", channels: { [channelId]: older.seq } });
  const ready = await first.next("ready");
  const readyAt = Date.now();
  assert.ok(ready.serverTime && !Number.isNaN(Date.parse(ready.serverTime)));
  const toEdit = await say(owner, channelId, "to edit");
  const toDelete = await say(owner, channelId, "to delete");
  await first.next("message", (e) => e.message.id === toDelete.id);
  for (const event of first.frames) view.apply(event);
  await first.close();
  const since = new Date(Date.parse(ready.serverTime!) + (Date.now() - readyAt)).toISOString();

  // While away.
  const edited = await owner.http.json("PATCH", `/api/messages/${toEdit.id}`, {
    json: { content: "edited" },
  });
  assert.equal(edited.status, 200);
  assert.equal((await owner.http.request("DELETE", `/api/messages/${toDelete.id}`)).status, 204);
  assert.equal(await react(owner, older.id, "🎉"), 204);
  assert.equal(await react(member, older.id, "🎉"), 204); // from another device
  assert.equal(await react(owner, toEdit.id, "👍"), 204);
  assert.equal(await react(owner, toEdit.id, "👍", "DELETE"), 204);
  const pinned = await owner.http.request("PUT", `/api/channels/${channelId}/pins/${older.id}`);
  assert.equal(pinned.status, 204);
  const newer = await say(owner, channelId, "newer");

  const second = await connect(app, member);
  second.send({ type: "resume", channels: { [channelId]: toDelete.seq }, since });
  await second.next("ready");
  await second.next("message", (e) => e.message.id === newer.id);
  await second.next("message_deleted", (e) => e.id === toDelete.id);
  await second.next("message_updated", (e) => e.message.id === older.id);
  await second.next("message_updated", (e) => e.message.id === toEdit.id);
  for (const event of second.frames) view.apply(event);

  const server = new View(member.id);
  for (const message of await page(member, channelId)) server.put(message);
  assert.deepEqual(view.messages, server.messages);
  assert.deepEqual(view.messages.get(older.id), {
    content: "older",
    reactions: [{ emoji: "🎉", count: 2, me: true }],
    pinned: true,
  });
  assert.equal(view.messages.get(toEdit.id)?.content, "edited");
  assert.equal(view.messages.has(toDelete.id), false);
  // The replay sends the new message once, and nothing else is a `message`.
  assert.deepEqual(second.all("message").map((e) => e.message.id), [newer.id]);
  await second.close();
});

appTest("resume without since - only new messages; a bad since is refused", async (app) => {
  const { channelId, owner, member } = await room(app);
  const before = await say(owner, channelId, "before");
  assert.equal(await react(owner, before.id, "🎉"), 204);
  const after = await say(owner, channelId, "after");
  const ws = await connect(app, member);
  ws.send({ type: "resume", channels: { [channelId]: before.seq } });
  await ws.next("ready");
  await ws.next("message", (e) => e.message.id === after.id);
  ws.send({ type: "resume", channels: {}, since: "yesterday" });
  const error = await ws.next("error");
  assert.equal(error.code, "invalid_frame");
  assert.equal(ws.all("message_updated").length, 0);
  await ws.close();
});

appTest("resume - a channel without read_history replays and converges nothing", async (app) => {
  const { serverId, channelId, owner, member } = await room(app);
  const first = await say(owner, channelId, "history");
  assert.equal(await react(owner, first.id, "🎉"), 204);
  await say(owner, channelId, "more history");
  await putOverwrite(owner, channelId, serverId, { type: "role", deny: ["read_history"] });
  const since = new Date(Date.now() - 60_000).toISOString();
  const ws = await connect(app, member);
  ws.send({ type: "resume", channels: { [channelId]: 0 }, since });
  await ws.next("ready");
  const error = await ws.next("error", (e) => e.channelId === channelId);
  assert.equal(error.code, "missing_permissions");
  // The resume is over (a ping after it is answered after it), and nothing of the channel came.
  ws.send({ type: "resume", channels: {} });
  ws.send({ type: "ping" });
  await ws.next("pong");
  assert.equal(ws.all("message").length, 0);
  assert.equal(ws.all("message_updated").length, 0);
  // The socket stays open for what it may do.
  assert.equal(ws.socket.readyState, WebSocket.OPEN);
  await ws.close();
});
