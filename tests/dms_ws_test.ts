/**
 * Direct messages over the socket (API.md "Direct messages"): `dm_created` to every member on
 * open, before any message; live messages, typing and reactions in a DM, to its members only;
 * `ready.dms`; resume; group recipients changing live (`dm_updated`, `dm_removed`); and all of
 * it across two instances on a shared bus (PostgreSQL's, and the KV one).
 */
import assert from "node:assert/strict";
import type { WireDmChannel } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { KV_BACKEND, needs, POSTGRES_BACKEND } from "./helpers/backends.ts";
import type { Backend } from "./helpers/backends.ts";
import { brokerUrl, needsBroker, testPrefix } from "./bus_brokers.ts";
import type { Broker } from "./bus_brokers.ts";
import { react, say } from "./helpers/conversations.ts";
import { type Person, register, room } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { eventually } from "./helpers/wait.ts";

async function openDm(person: Person, userIds: string[]): Promise<WireDmChannel> {
  const answer = await person.http.json<{ channel: WireDmChannel }>("POST", "/api/dms", {
    json: { userIds },
  });
  assert.ok(answer.status === 200 || answer.status === 201, JSON.stringify(answer.body));
  return answer.body.channel;
}

/** A socket of `person` on the instance `app` (resuming nothing), after `ready`. */
async function connectTo(app: TestApp, person: Person): Promise<WsClient> {
  const ws = await WsClient.connect(app.url, { cookie: person.http.cookie });
  ws.send({ type: "resume", channels: {} });
  await ws.next("ready");
  return ws;
}

appTest(
  "dms ws - dm_created before any message, then live messages to members only",
  async (app) => {
    const { owner, member, outsider } = await room(app);
    const [ownerWs, memberWs, outsiderWs] = await Promise.all([
      owner.connect(),
      member.connect(),
      outsider.connect(),
    ]);
    const dm = await openDm(owner, [member.id]);
    const created = await memberWs.next("dm_created");
    assert.equal(created.channel.id, dm.id);
    assert.equal(created.channel.serverId, null);
    assert.deepEqual(created.channel.recipients.map((u) => u.id), [owner.id]);
    assert.deepEqual(
      (await ownerWs.next("dm_created")).channel.recipients.map((u) => u.id),
      [member.id],
    );
    assert.equal(memberWs.all("message").length, 0);

    ownerWs.send({ type: "send", channelId: dm.id, content: "psst", nonce: "n1" });
    assert.equal((await ownerWs.next("ack")).message.content, "psst");
    const live = await memberWs.next("message");
    assert.equal(live.message.channelId, dm.id);
    memberWs.send({ type: "typing", channelId: dm.id });
    assert.equal((await ownerWs.next("typing")).user.id, member.id);
    assert.equal(await react(member, live.message.id, "🎉"), 204);
    await ownerWs.next("reaction_added");
    // The socket refuses an outsider's send into it as an unknown channel.
    outsiderWs.send({ type: "send", channelId: dm.id, content: "hi", nonce: "x1" });
    assert.equal((await outsiderWs.next("error")).code, "not_found");
    await say(owner, dm.id, "second");
    await memberWs.next("message", (e) => e.message.content === "second");
    assert.equal(outsiderWs.all("message").length, 0);
    assert.equal(outsiderWs.all("dm_created").length, 0);
    assert.equal(outsiderWs.all("typing").length, 0);
    await Promise.all([ownerWs.close(), memberWs.close(), outsiderWs.close()]);
  },
);

appTest("dms ws - ready.dms, resume, and a DM closed then written to", async (app) => {
  const { owner, member } = await room(app);
  const dm = await openDm(owner, [member.id]);
  await say(owner, dm.id, "one");
  await say(owner, dm.id, "two");
  const memberWs = await member.connect();
  const ready = memberWs.frames.find((f) => f.type === "ready");
  assert.ok(ready?.type === "ready");
  assert.deepEqual(ready.dms?.map((d) => [d.id, d.lastSeq, d.readSeq]), [[dm.id, 2, 0]]);
  assert.deepEqual(ready.dms?.[0].recipients.map((u) => u.id), [owner.id]);
  await memberWs.close();

  // Resume from seq 1: the second message again, nothing else.
  const resumed = await WsClient.connect(app.url, { cookie: member.http.cookie });
  resumed.send({ type: "resume", channels: { [dm.id]: 1 } });
  const replayed = await resumed.next("message");
  assert.equal(replayed.message.seq, 2);

  // Closed: gone from the list (dm_removed), then a new message brings it back first.
  const closed = await member.http.request("DELETE", `/api/channels/${dm.id}`);
  assert.equal(closed.status, 204);
  await resumed.next("dm_removed");
  await say(owner, dm.id, "three");
  const back = await resumed.next("dm_created");
  assert.equal(back.channel.id, dm.id);
  const three = await resumed.next("message", (e) => e.message.content === "three");
  assert.ok(resumed.frames.indexOf(back) < resumed.frames.indexOf(three));
  await resumed.close();
});

appTest("dms ws - a group's recipients change live", async (app) => {
  const { owner, member } = await room(app);
  const third = await register(app, "third");
  await third.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
  const [ownerWs, thirdWs] = await Promise.all([owner.connect(), third.connect()]);
  const group = await openDm(owner, [member.id]);
  assert.equal(group.kind, "dm");
  const trio = await openDm(owner, [member.id, third.id]);
  await thirdWs.next("dm_created", (e) => e.channel.id === trio.id);
  const fourth = await register(app, "fourth");
  await fourth.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
  const fourthWs = await fourth.connect();
  const added = await owner.http.request("PUT", `/api/dms/${trio.id}/recipients/${fourth.id}`);
  assert.equal(added.status, 204);
  assert.equal((await fourthWs.next("dm_created")).channel.recipients.length, 3);
  const updated = await ownerWs.next("dm_updated");
  assert.equal(updated.channel.recipients.length, 3);
  // The newcomer hears the group live at once.
  await say(owner, trio.id, "welcome");
  await fourthWs.next("message", (e) => e.message.content === "welcome");
  // Leaving: dm_removed to them, dm_updated to the rest, and no more messages.
  const left = await third.http.request("DELETE", `/api/dms/${trio.id}/recipients/${third.id}`);
  assert.equal(left.status, 204);
  await thirdWs.next("dm_removed");
  await ownerWs.next("dm_updated", (e) => e.channel.recipients.length === 2);
  await say(owner, trio.id, "after");
  await fourthWs.next("message", (e) => e.message.content === "after");
  assert.equal(thirdWs.all("message").filter((e) => e.message.content === "after").length, 0);
  await Promise.all([ownerWs.close(), thirdWs.close(), fourthWs.close()]);
}, { RATE_LIMITS: "off" });

/** Shared buses: PostgreSQL's and KV's reach every instance; Redis and NATS route by target. */
const BUSES: {
  name: string;
  backend: Backend;
  brokers: Broker[];
  env: () => Record<string, string>;
}[] = [
  { name: "postgres", backend: POSTGRES_BACKEND, brokers: [], env: () => ({}) },
  { name: "kv", backend: KV_BACKEND, brokers: [], env: () => ({ BUS: "kv" }) },
  {
    name: "redis",
    backend: KV_BACKEND,
    brokers: ["redis"],
    env: () => ({ BUS: "redis", REDIS_URL: brokerUrl("redis"), BUS_PREFIX: testPrefix() }),
  },
  {
    name: "nats",
    backend: KV_BACKEND,
    brokers: ["nats"],
    env: () => ({ BUS: "nats", NATS_URL: brokerUrl("nats"), BUS_PREFIX: testPrefix() }),
  },
];

for (const { name, backend, brokers, env } of BUSES) {
  Deno.test(
    `dms ws - two instances: dm_created and live DM messages cross (${name} bus)`,
    { ignore: needs(backend).ignore || needsBroker(...brokers).ignore },
    async () => {
      const a = await startTestApp(backend, env());
      try {
        const b = await a.startAnother();
        const { owner, member } = await room(a);
        const onA = await connectTo(a, owner);
        const onB = await connectTo(b, member);
        const dm = await openDm(owner, [member.id]);
        assert.equal((await onB.next("dm_created")).channel.id, dm.id);
        for (let i = 0; i < 5; i++) {
          onA.send({ type: "send", channelId: dm.id, content: `m${i}`, nonce: `n${i}` });
        }
        await eventually(() => onB.all("message").length === 5, "5 DM messages on B");
        assert.deepEqual(onB.all("message").map((e) => e.message.seq), [1, 2, 3, 4, 5]);
        onB.send({ type: "typing", channelId: dm.id });
        assert.equal((await onA.next("typing")).channelId, dm.id);
        // A reply over HTTP reaches the socket too.
        const replied = await member.http.json("POST", `/api/channels/${dm.id}/messages`, {
          json: { content: "from B" },
          headers: {},
        });
        assert.equal(replied.status, 201);
        await onA.next("message", (e) => e.message.content === "from B");
        await Promise.all([onA.close(), onB.close()]);
      } finally {
        await a.close();
      }
    },
  );

  Deno.test(
    `dms ws - two instances: who left a group DM on one may not type in it through the other (${name} bus)`,
    { ignore: needs(backend).ignore || needsBroker(...brokers).ignore },
    async () => {
      const a = await startTestApp(backend, env());
      try {
        const b = await a.startAnother();
        const { owner, member } = await room(a);
        const third = await register(a, "third");
        await third.http.json("PATCH", "/api/me", { json: { dmPolicy: "everyone" } });
        const group = await openDm(owner, [member.id, third.id]);
        // The owner's and the leaver's sockets on B: B holds the DM's snapshot.
        const ownerOnB = await connectTo(b, owner);
        const memberOnB = await connectTo(b, member);
        const left = await member.http.json(
          "DELETE",
          `/api/dms/${group.id}/recipients/${member.id}`,
        );
        assert.equal(left.status, 204);
        await ownerOnB.next("dm_updated", (e) => e.channel.id === group.id);
        await memberOnB.next("dm_removed", (e) => e.channelId === group.id);
        memberOnB.send({ type: "typing", channelId: group.id });
        await memberOnB.next("error", (e) => e.code === "not_found");
        const thirdOnB = await connectTo(b, third);
        thirdOnB.send({ type: "typing", channelId: group.id });
        await ownerOnB.next("typing", (e) => e.user.id === third.id);
        assert.equal(ownerOnB.all("typing").filter((e) => e.user.id === member.id).length, 0);
        await Promise.all([ownerOnB.close(), memberOnB.close(), thirdOnB.close()]);
      } finally {
        await a.close();
      }
    },
  );
}
