/**
 * A user whose instance dies (SIGKILL: no "offline" is ever sent) goes offline on the other
 * instances once its heartbeats stop, on every shared bus; typing crosses instances too. The
 * dying instance is a real process; the intervals are shortened through the services' options.
 */
import assert from "node:assert/strict";
import type { Config } from "../lib/config.ts";
import { loadConfig } from "../lib/config.ts";
import { createServices } from "../lib/services.ts";
import type { Services } from "../lib/services.ts";
import { createApp } from "../routes/app.ts";
import { brokerUrl, needsBroker, testPrefix } from "./bus_brokers.ts";
import type { Broker } from "./bus_brokers.ts";
import { openKvStore } from "../db/kv/kv_store.ts";
import { KV_BACKEND, needs, POSTGRES_BACKEND } from "./helpers/backends.ts";
import type { Backend, TestStore } from "./helpers/backends.ts";
import { room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { eventually, within } from "./helpers/wait.ts";

/** Short enough for a test; the instance in the child beats at the same pace. */
const HEARTBEAT_MS = 200;
const INSTANCE_EXPIRY_MS = 1_000;

interface Case {
  name: string;
  backend: Backend;
  brokers: Broker[];
  env: () => Record<string, string>;
}

const CASES: Case[] = [
  { name: "postgres", backend: POSTGRES_BACKEND, brokers: [], env: () => ({ BUS: "postgres" }) },
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

/** An in-process instance with short heartbeats. */
async function startInstance(config: Config, testStore: TestStore) {
  const services: Services = await createServices(config, testStore.store, {
    busChannel: testStore.busChannel,
    heartbeatMs: HEARTBEAT_MS,
    instanceExpiryMs: INSTANCE_EXPIRY_MS,
  });
  const app = createApp({ config, ...services });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    services,
    async close() {
      await services.close();
      await server.shutdown();
    },
  };
}

/** The same instance in a child process, on the same store and bus. */
async function startChild(env: Record<string, string>, testStore: TestStore, kvPath?: string) {
  const storeEnv: Record<string, string> = testStore.databaseUrl
    ? {
      STORE_PG_URL: testStore.databaseUrl,
      DATABASE_URL: testStore.databaseUrl,
      STORE_PG_SCHEMA: testStore.busChannel,
      BUS_CHANNEL: testStore.busChannel,
    }
    : { STORE_KV_PATH: kvPath! };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./presence_instance.ts", import.meta.url).pathname],
    env: {
      ...env,
      ...storeEnv,
      HEARTBEAT_MS: String(HEARTBEAT_MS),
      INSTANCE_EXPIRY_MS: String(INSTANCE_EXPIRY_MS),
    },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  const port = await within(
    (async () => {
      while (true) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the child instance exited before listening");
        output += value;
        const match = /^listening (\d+)$/m.exec(output);
        if (match) return Number(match[1]);
      }
    })(),
    "the child instance to listen",
  );
  // Its later output is not needed, but the pipe must keep flowing.
  void (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
  })();
  return { child, url: `http://127.0.0.1:${port}` };
}

for (const { name, backend, brokers, env } of CASES) {
  Deno.test(
    `presence - a killed instance's user goes offline elsewhere; typing crosses (${name} bus)`,
    { ignore: needs(backend).ignore || needsBroker(...brokers).ignore },
    async () => {
      const { testStore, kvPath } = await openStore(backend);
      const busEnv = env();
      const config: Config = {
        ...loadConfig({
          BCRYPT_COST: "4",
          SECURITY_LOG: "off",
          ...busEnv,
          ...(testStore.databaseUrl ? { DATABASE_URL: testStore.databaseUrl } : {}),
        }),
        databaseUrl: testStore.databaseUrl,
      };
      const a = await startInstance(config, testStore);
      let child: Deno.ChildProcess | undefined;
      const sockets: WsClient[] = [];
      try {
        const { channelId, owner, member } = await room(a as unknown as TestApp);
        const b = await startChild(busEnv, testStore, kvPath);
        child = b.child;
        const onA = await owner.connect();
        const onB = await WsClient.connect(b.url, { cookie: member.http.cookie });
        sockets.push(onA, onB);
        await onB.next("ready");
        await onA.next("presence", (e) => e.userId === member.id && e.status === "online");
        assert.ok(a.services.hub.isOnline(member.id));

        // Typing on B reaches A through the bus.
        onB.send({ type: "typing", channelId });
        assert.equal((await onA.next("typing")).user.id, member.id);

        child.kill("SIGKILL");
        await child.status;
        child = undefined;
        await eventually(
          () => onA.all("presence").some((e) => e.userId === member.id && e.status === "offline"),
          "the dead instance's user offline on A",
        );
        assert.equal(a.services.hub.isOnline(member.id), false);
        assert.equal(a.services.hub.isOnline(owner.id), true, "A's own user stays online");
      } finally {
        if (child) {
          child.kill("SIGKILL");
          await child.status;
        }
        for (const socket of sockets) await socket.close().catch(() => {});
        await a.close();
        await testStore.dispose();
      }
    },
  );
}

/** A fresh store; on KV, a file of our own that the child opens too. */
async function openStore(backend: Backend): Promise<{ testStore: TestStore; kvPath?: string }> {
  if (backend.name === "postgres") return { testStore: await backend.open() };
  const dir = await Deno.makeTempDir({ prefix: "salon-presence-" });
  const kvPath = `${dir}/salon.kv`;
  const store = await openKvStore(kvPath);
  const testStore = {
    store,
    busChannel: "unused",
    reopen: () => Promise.reject(new Error("not here")),
    openAnother: () => Promise.reject(new Error("not here")),
    async dispose() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  } satisfies TestStore;
  return { testStore, kvPath };
}
