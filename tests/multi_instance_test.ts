/**
 * Two app instances on one database: events cross between them through PostgreSQL's
 * LISTEN/NOTIFY (long messages by reference), or through the Deno KV log watched with
 * `kv.watch` (the Deno Deploy case; two KV handles in one process stand in for two isolates).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { KV_BACKEND, needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import { register, room } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { eventually } from "./helpers/wait.ts";

/** Each case: the backend and the environment that selects its shared bus. */
const SHARED_BUSES: { name: string; backend: typeof KV_BACKEND; env: Record<string, string> }[] = [
  { name: "postgres", backend: POSTGRES_BACKEND, env: {} },
  { name: "kv", backend: KV_BACKEND, env: { BUS: "kv" } },
];

for (const { name, backend, env } of SHARED_BUSES) {
  Deno.test(
    `two instances - a client on A sends, a client on B receives, in order (${name} bus)`,
    needs(backend),
    async () => {
      const a = await startTestApp(backend, env);
      try {
        const b = await a.startAnother();
        const { channelId, serverId, owner, member } = await room(a);
        const onA = await owner.connect();
        const onB = await WsClient.connect(b.url, { cookie: member.http.cookie });
        await onB.next("ready");

        const long = "x".repeat(3000) + "é".repeat(1000); // over NOTIFY's limit as JSON
        for (let i = 0; i < 30; i++) {
          onA.send({ type: "send", channelId, content: i === 7 ? long : `m${i}`, nonce: `n${i}` });
        }
        await eventually(() => onB.all("message").length === 30, "30 messages on B");
        assert.deepEqual(
          onB.all("message").map((m) => m.message.seq),
          Array.from({ length: 30 }, (_, i) => i + 1),
        );
        // One socket's sends are stored in the order it sent them.
        assert.deepEqual(
          onB.all("message").map((m) => m.message.nonce),
          Array.from({ length: 30 }, (_, i) => `n${i}`),
        );
        assert.equal(onB.all("message")[7].message.content, long);

        // Membership and presence events cross too; a socket on B joins a server live.
        const late = await register(b, "late");
        const lateWs = await WsClient.connect(b.url, { cookie: late.http.cookie });
        await lateWs.next("ready");
        const invite = await owner.http.json<{ code: string }>(
          "POST",
          `/api/servers/${serverId}/invites`,
        );
        await late.http.json("POST", `/api/invites/${invite.body.code}/join`);
        assert.equal((await onA.next("member_joined")).user.id, late.id);
        await lateWs.next("server_joined");
        const hello = await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
          json: { content: "hello late" },
        });
        assert.equal(hello.status, 201, JSON.stringify(hello.body));
        assert.equal((await lateWs.next("message")).message.content, "hello late");
        await Promise.all([onA.close(), onB.close(), lateWs.close()]);
      } finally {
        await a.close();
      }
    },
  );
}

Deno.test(
  "two instances - delivery recovers after the LISTEN connection is killed",
  needs(POSTGRES_BACKEND),
  async () => {
    const a = await startTestApp(POSTGRES_BACKEND);
    const admin = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
    try {
      const b = await a.startAnother();
      const { channelId, owner, member } = await room(a);
      const onA = await owner.connect();
      const onB = await WsClient.connect(b.url, { cookie: member.http.cookie });
      await onB.next("ready");
      onA.send({ type: "send", channelId, content: "before", nonce: "before" });
      await onB.next("message");

      // Every LISTEN session on this test's channel (both instances) is terminated.
      const killed = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE query ILIKE ${`listen%${a.testStore.busChannel}%`}`;
      assert.ok(killed.length >= 1, "found the LISTEN connections");
      for (let i = 0; i < 5; i++) {
        onA.send({ type: "send", channelId, content: `during ${i}`, nonce: `during-${i}` });
      }
      await eventually(
        () => onB.all("message").length === 6,
        "every message on B after the reconnect",
      );
      assert.deepEqual(onB.all("message").map((m) => m.message.seq), [1, 2, 3, 4, 5, 6]);
      await Promise.all([onA.close(), onB.close()]);
    } finally {
      await admin.end();
      await a.close();
    }
  },
);
