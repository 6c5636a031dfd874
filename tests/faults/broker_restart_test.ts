/**
 * Kill the bus's broker (SIGKILL) under traffic, with two app instances on BUS=redis or
 * BUS=nats, and start it again on the same port: real WebSocket clients on both instances get
 * every message exactly once, in order (the buses reconnect, subscribe again and catch up: by
 * seq from the store on Redis, from the stream on NATS).
 *
 * A private server on a spare port: the machine's own is not touched.
 */
import assert from "node:assert/strict";
import { KV_BACKEND } from "../helpers/backends.ts";
import { faultTest } from "../helpers/fault_tests.ts";
import { room } from "../helpers/people.ts";
import { assertExactlyOnce, ResilientClient, storedHistory } from "../helpers/resilient_client.ts";
import { startTestApp } from "../helpers/test_app.ts";
import { eventually } from "../helpers/wait.ts";
import { testPrefix } from "../bus_brokers.ts";
import { PrivateServer } from "../bus_private_server.ts";

for (const broker of ["redis", "nats"] as const) {
  Deno.test(
    `${broker} killed and restarted under traffic - every message exactly once, in order`,
    faultTest(KV_BACKEND),
    async () => {
      const server = await PrivateServer.start(broker);
      const clients: ResilientClient[] = [];
      try {
        const a = await startTestApp(KV_BACKEND, {
          RATE_LIMITS: "off",
          BUS: broker,
          [broker === "redis" ? "REDIS_URL" : "NATS_URL"]: server.url,
          BUS_PREFIX: testPrefix(),
        });
        try {
          const b = await a.startAnother();
          const { channelId, owner, member } = await room(a);
          clients.push(
            new ResilientClient(a.url, owner.http.cookie!, "owner", [channelId]),
            new ResilientClient(b.url, member.http.cookie!, "member", [channelId]),
          );
          for (const client of clients) client.start();

          let sending = true;
          const traffic = (async () => {
            for (let i = 0; sending; i++) {
              clients[i % 2].send(channelId, `message ${i}`);
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          })();
          await new Promise((resolve) => setTimeout(resolve, 500));
          await server.kill();
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await server.restart();
          await new Promise((resolve) => setTimeout(resolve, 1500));
          sending = false;
          await traffic;

          await eventually(
            () => clients.every((client) => client.outbox.size === 0),
            "every send acknowledged",
          );
          const stored = await storedHistory(owner.http, channelId);
          // Wait for the real condition; on a timeout the assertion below names what is wrong.
          await eventually(
            () => assertExactlyOnce(stored, clients).length === 0,
            "every message delivered on both instances",
            20_000,
          ).catch(() => {});
          assert.ok(stored.length > 30, `steady traffic: ${stored.length} messages`);
          assert.deepEqual(assertExactlyOnce(stored, clients), []);
        } finally {
          for (const client of clients) client.stop();
          await a.close();
        }
      } finally {
        await server.stop();
      }
    },
  );
}
