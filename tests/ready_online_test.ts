/**
 * `ready` lists who is online (`online`): a presence change between a page's render and its
 * socket's `ready` comes as no event (the socket was not there to hear it), so the client
 * replaces its presence with the list. Two instances on one store, on every bus (PostgreSQL's
 * LISTEN/NOTIFY, KV's, Redis on KV, NATS on PostgreSQL), real HTTP and WebSockets.
 */
import assert from "node:assert/strict";
import { brokerUrl, needsBroker, testPrefix } from "./bus_brokers.ts";
import type { Broker } from "./bus_brokers.ts";
import { KV_BACKEND, needs, POSTGRES_BACKEND } from "./helpers/backends.ts";
import type { Backend } from "./helpers/backends.ts";
import type { HttpClient } from "./helpers/http_client.ts";
import { register, room } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { eventually } from "./helpers/wait.ts";

/** Short heartbeats: on Redis and NATS an instance with no socket in a server hears its
 * members' presence from the other instances' heartbeats (hub.ts). */
const HEARTBEAT_MS = 200;

const CASES: {
  name: string;
  backend: Backend;
  brokers: Broker[];
  env: () => Record<string, string>;
}[] = [
  // On PostgreSQL the test app takes the LISTEN/NOTIFY bus unless told another.
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
    backend: POSTGRES_BACKEND,
    brokers: ["nats"],
    env: () => ({ BUS: "nats", NATS_URL: brokerUrl("nats"), BUS_PREFIX: testPrefix() }),
  },
];

/** "online", "offline", or null if the channel page does not list the member. */
async function shownStatus(
  app: TestApp,
  http: HttpClient,
  path: string,
  name: string,
): Promise<string | null> {
  const response = await fetch(`${app.url}${path}`, { headers: { cookie: http.cookie! } });
  const html = await response.text();
  assert.equal(response.status, 200, html.slice(0, 300));
  return new RegExp(`>${name}<span class="sr-only">\\s*\\((online|offline)\\)`).exec(html)?.[1] ??
    null;
}

/** Opens `cookie`'s socket on `app` as Salon's client does and returns its `ready`. */
async function readyOf(app: TestApp, cookie: string) {
  const ws = await WsClient.connect(app.url, { cookie });
  ws.send({ type: "resume", channels: {} });
  return { ws, ready: await ws.next("ready") };
}

for (const { name, backend, brokers, env } of CASES) {
  Deno.test(
    `ready - lists who came online on another instance after the page was made (${name} bus)`,
    { ignore: needs(backend).ignore || needsBroker(...brokers).ignore },
    async () => {
      const a = await startTestApp(backend, env(), { heartbeatMs: HEARTBEAT_MS });
      try {
        const b = await a.startAnother();
        const { serverId, channelId, owner, member, outsider } = await room(a);
        const path = `/chat/${serverId}/${channelId}`;
        // The owner's page: the member is offline.
        assert.equal(await shownStatus(a, owner.http, path, "member"), "offline");

        // Before the owner's socket: the member comes online on B; A hears it (no socket of
        // the owner's there to be told).
        const onB = await readyOf(b, member.http.cookie!);
        const outsiderWs = await outsider.connect();
        await eventually(() => a.hub.isOnline(member.id), "A knowing member online");

        const { ws: onA, ready } = await readyOf(a, owner.http.cookie!);
        try {
          assert.deepEqual([...ready.online!].sort(), [owner.id, member.id].sort());
          // Only members of the user's servers: the outsider, online too, is not listed.
          assert.ok(!ready.online!.includes(outsider.id));
          // What B's `ready` said of the member itself.
          assert.ok(onB.ready.online!.includes(member.id));
        } finally {
          await onA.close();
          await outsiderWs.close();
        }

        // The other way: the member goes offline between another render and `ready`.
        assert.equal(await shownStatus(a, owner.http, path, "member"), "online");
        await onB.ws.close();
        await eventually(() => !a.hub.isOnline(member.id), "A knowing member left");
        const { ws, ready: later } = await readyOf(a, owner.http.cookie!);
        assert.deepEqual(later.online, [owner.id]);
        await ws.close();
      } finally {
        await a.close();
      }
    },
  );
}

Deno.test(
  "ready - a user in no server gets an empty online list",
  needs(KV_BACKEND),
  async () => {
    const app = await startTestApp(KV_BACKEND);
    try {
      const loner = await register(app, "loner");
      const ws = await loner.connect();
      try {
        assert.deepEqual((await ws.next("ready")).online, []);
      } finally {
        await ws.close();
      }
    } finally {
      await app.close();
    }
  },
);
