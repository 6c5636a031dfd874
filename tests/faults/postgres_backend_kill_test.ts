/**
 * PostgreSQL backends killed under traffic (`pg_terminate_backend`, as a failover, an admin or a
 * timeout does), every one of the app's at once, as a failover does: transactions are cut under
 * a statement and between two (tests/postgres_transaction_test.ts makes each case happen), and
 * no request is left waiting. The app must carry on: requests fail with 503 `unavailable`
 * while their connection dies, never 500, the process never
 * crashes (postgres.js 3.4.9 would throw an uncaught TypeError here: a test fails on it), and
 * once the kills stop every kind of write works again on the same pool.
 *
 * It kills every client backend of the test database but its own, so it runs with the fault
 * tests (`deno task test:faults`), alone, after the parallel suite.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { POSTGRES_BACKEND, testDatabaseUrl } from "../helpers/backends.ts";
import { faultTest } from "../helpers/fault_tests.ts";
import { room } from "../helpers/people.ts";
import type { Person } from "../helpers/people.ts";
import { startTestApp } from "../helpers/test_app.ts";
import { within } from "../helpers/wait.ts";

/** How many times every backend is killed, how far apart, and how long a request may take. */
const KILL_ROUNDS = 1;
const KILL_EVERY_MS = 400;
const REQUEST_MAX_MS = 10_000;

/** One write of each kind a store runs as a transaction, by `owner` in `channelId`. */
function writes(owner: Person, serverId: string, channelId: string, messageId: string) {
  let n = 0;
  return [
    () =>
      owner.http.request("POST", `/api/channels/${channelId}/messages`, {
        json: { content: `message ${n++}` },
      }),
    () =>
      owner.http.request("PUT", `/api/messages/${messageId}/reactions/${n++ % 2 ? "👍" : "🎉"}`),
    () => owner.http.request("PUT", `/api/channels/${channelId}/pins/${messageId}`),
    () =>
      owner.http.request("POST", `/api/servers/${serverId}/channels`, {
        json: { name: `room-${n++}` },
      }),
  ];
}

Deno.test(
  "postgres backends killed under traffic - 503s while they die, no crash, then every write works",
  faultTest(POSTGRES_BACKEND),
  async () => {
    const app = await startTestApp(POSTGRES_BACKEND, { RATE_LIMITS: "off" });
    const admin = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
    try {
      const { serverId, channelId, owner } = await room(app);
      const sent = await owner.http.json<{ message: { id: string } }>(
        "POST",
        `/api/channels/${channelId}/messages`,
        { json: { content: "the one reacted to" } },
      );
      assert.equal(sent.status, 201);
      const kinds = writes(owner, serverId, channelId, sent.body.message.id);

      const statuses = new Map<number, number>();
      let killing = true;
      let kills = 0;
      const killer = (async () => {
        for (let round = 0; round < KILL_ROUNDS; round++) {
          await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
          const killed = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND backend_type = 'client backend'`;
          kills += killed.length;
        }
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
        killing = false;
      })();
      // Four writers, one per kind, each with one request in flight, none left waiting.
      const traffic = kinds.map(async (write, kind) => {
        while (killing) {
          const response = await within(write(), `a write of kind ${kind}`, REQUEST_MAX_MS);
          await response.body?.cancel();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      });
      await Promise.all([killer, ...traffic]);

      const seen = JSON.stringify(Object.fromEntries(statuses));
      assert.ok(kills >= KILL_ROUNDS, `backends killed: ${kills}`);
      for (const status of statuses.keys()) {
        assert.ok([200, 201, 204, 503].includes(status), `statuses ${seen}`);
      }
      // The same pool, every kind again: each succeeds within a few tries (a connection the
      // kills left behind may still answer one request with 503).
      for (const write of kinds) {
        let status = 0;
        for (let attempt = 0; attempt < 5 && ![200, 201, 204].includes(status); attempt++) {
          const response = await within(write(), "a write after the kills", REQUEST_MAX_MS);
          await response.body?.cancel();
          status = response.status;
        }
        assert.ok([200, 201, 204].includes(status), `after the kills: ${status}`);
      }
    } finally {
      await admin.end();
      await app.close();
    }
  },
);
