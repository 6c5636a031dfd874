/**
 * Presence where an instance hears no presence events: on Redis and NATS an instance hears only
 * the servers it has sockets for, yet a channel page it renders lists who is online (heartbeats
 * carry each instance's online users). And after a NATS outage longer than the expiry, whose
 * events the stream replays (nothing read back, nothing announced again), the users each side
 * took for dead are online again on the other.
 *
 * Two in-process instances on one Deno KV store with short heartbeats; real Redis, NATS (a
 * private server for the outage), HTTP and WebSockets.
 */
import assert from "node:assert/strict";
import type { Config } from "../lib/config.ts";
import { loadConfig } from "../lib/config.ts";
import { serverKey } from "../lib/realtime/bus_frames.ts";
import { createServices } from "../lib/services.ts";
import type { Store } from "../db/store.ts";
import { createApp } from "../routes/app.ts";
import { brokerUrl, needsBroker, testPrefix } from "./bus_brokers.ts";
import type { Broker } from "./bus_brokers.ts";
import { PrivateServer } from "./bus_private_server.ts";
import { KV_BACKEND, needs } from "./helpers/backends.ts";
import type { HttpClient } from "./helpers/http_client.ts";
import { room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { eventually } from "./helpers/wait.ts";

const HEARTBEAT_MS = 200;
const INSTANCE_EXPIRY_MS = 1_000;

function configFor(env: Record<string, string>): Config {
  return loadConfig({ BCRYPT_COST: "4", SECURITY_LOG: "off", RATE_LIMITS: "off", ...env });
}

/** An in-process instance with short heartbeats; `resubscribed` counts reads back from the store. */
async function startInstance(config: Config, store: Store) {
  const services = await createServices(config, store, {
    heartbeatMs: HEARTBEAT_MS,
    instanceExpiryMs: INSTANCE_EXPIRY_MS,
  });
  const counted = { resubscribed: 0 };
  // Observed, not replaced: the bus calls the hub's method when it reads back from the store.
  const resubscribed = services.hub.resubscribed.bind(services.hub);
  services.hub.resubscribed = () => {
    counted.resubscribed++;
    return resubscribed();
  };
  const app = createApp({ config, ...services });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    services,
    counted,
    async close() {
      await services.close();
      await server.shutdown();
    },
  };
}

type Instance = Awaited<ReturnType<typeof startInstance>>;

/** "online", "offline", or null if the channel page does not list the member at all. */
async function shownStatus(
  instance: Instance,
  http: HttpClient,
  path: string,
  name: string,
): Promise<string | null> {
  const response = await fetch(`${instance.url}${path}`, { headers: { cookie: http.cookie! } });
  const html = await response.text();
  assert.equal(response.status, 200, html.slice(0, 300));
  return new RegExp(`>${name}<span class="sr-only">\\s*\\((online|offline)\\)`).exec(html)?.[1] ??
    null;
}

/** Two instances on one KV store and the bus of `env`, closed (with the store) after `fn`. */
async function twoInstances(
  env: Record<string, string>,
  fn: (a: Instance, b: Instance) => Promise<void>,
): Promise<void> {
  const testStore = await KV_BACKEND.open();
  const config = configFor(env);
  const a = await startInstance(config, testStore.store);
  try {
    const b = await startInstance(config, await testStore.openAnother());
    try {
      await fn(a, b);
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
    await testStore.dispose();
  }
}

const ROUTED: { name: Broker; env: () => Record<string, string> }[] = [
  {
    name: "redis",
    env: () => ({ BUS: "redis", REDIS_URL: brokerUrl("redis"), BUS_PREFIX: testPrefix() }),
  },
  {
    name: "nats",
    env: () => ({ BUS: "nats", NATS_URL: brokerUrl("nats"), BUS_PREFIX: testPrefix() }),
  },
];

for (const { name, env } of ROUTED) {
  Deno.test(
    `presence - a page rendered by an instance with no socket in the server lists who is online (${name} bus)`,
    { ignore: needs(KV_BACKEND).ignore || needsBroker(name).ignore },
    async () => {
      await twoInstances(env(), async (a, b) => {
        const { serverId, channelId, owner, member } = await room(a as unknown as TestApp);
        const path = `/chat/${serverId}/${channelId}`;
        const onA = await member.connect();
        try {
          // B has no socket at all: it follows nothing of the server, so it heard no presence.
          assert.equal(b.services.hub.sockets.length, 0);
          assert.ok(!b.services.hub.followedKeys.includes(serverKey(serverId)));
          await eventually(() => b.services.hub.isOnline(member.id), "B knowing member is online");
          assert.equal(await shownStatus(b, owner.http, path, "member"), "online");
          assert.equal(await shownStatus(a, owner.http, path, "member"), "online");
          assert.ok(!b.services.hub.followedKeys.includes(serverKey(serverId)));
        } finally {
          await onA.close();
        }
        // Gone from A: B, which heard no "offline", drops them with A's next list.
        await eventually(() => !b.services.hub.isOnline(member.id), "B knowing member left");
        assert.equal(await shownStatus(b, owner.http, path, "member"), "offline");
      });
    },
  );
}

Deno.test(
  "presence - after a NATS outage replayed from the stream, users taken for dead are online again",
  { ignore: needs(KV_BACKEND).ignore },
  async () => {
    const nats = await PrivateServer.start("nats");
    try {
      await twoInstances(
        { BUS: "nats", NATS_URL: nats.url, BUS_PREFIX: testPrefix() },
        async (a, b) => {
          const { owner, member } = await room(a as unknown as TestApp);
          const onA = await owner.connect();
          const onB = await WsClient.connect(b.url, { cookie: member.http.cookie });
          const seen = (socket: WsClient, userId: string, status: string) =>
            socket.all("presence").filter((e) => e.userId === userId && e.status === status).length;
          try {
            onB.send({ type: "resume", channels: {} });
            await onB.next("ready");
            await eventually(
              () => a.services.hub.isOnline(member.id) && b.services.hub.isOnline(owner.id),
              "each instance knowing the other's user online",
            );

            // Longer than the expiry: each side takes the other for dead.
            await nats.kill();
            await eventually(
              () => seen(onA, member.id, "offline") === 1 && seen(onB, owner.id, "offline") === 1,
              "each user offline on the other instance",
            );
            assert.equal(a.services.hub.isOnline(member.id), false);
            assert.equal(b.services.hub.isOnline(owner.id), false);
            const [memberOnline, ownerOnline] = [
              seen(onA, member.id, "online"),
              seen(onB, owner.id, "online"),
            ];
            await nats.restart();

            await eventually(
              () =>
                seen(onA, member.id, "online") > memberOnline &&
                seen(onB, owner.id, "online") > ownerOnline,
              "each user online again on the other instance",
            );
            assert.ok(a.services.hub.isOnline(member.id));
            assert.ok(b.services.hub.isOnline(owner.id));
            // The stream covered the outage: nothing was read back (nor announced again) that way.
            assert.deepEqual([a.counted.resubscribed, b.counted.resubscribed], [0, 0]);
          } finally {
            await onA.close();
            await onB.close();
          }
        },
      );
    } finally {
      await nats.stop();
    }
  },
);
