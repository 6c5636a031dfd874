/**
 * The bus contract (bus_contract.ts) on every bus between instances: PostgreSQL LISTEN/NOTIFY,
 * the Deno KV log, Redis sharded pub/sub and NATS JetStream, each test on a channel, file or
 * prefix of its own.
 */
import postgres from "postgres";
import { Redis } from "ioredis";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Bus } from "../lib/realtime/bus.ts";
import type { BusEnvelope } from "../lib/realtime/envelope.ts";
import { KvBus } from "../lib/realtime/kv_bus.ts";
import { NatsBus, streamName } from "../lib/realtime/nats_bus.ts";
import { PostgresBus } from "../lib/realtime/postgres_bus.ts";
import { RedisBus } from "../lib/realtime/redis_bus.ts";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { brokerUrl, needsBroker, testPrefix } from "./bus_brokers.ts";
import { busContract } from "./bus_contract.ts";
import { TcpRelay } from "./bus_tcp_proxy.ts";
import type { BusEnd, BusWorld } from "./bus_contract.ts";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import { eventually } from "./helpers/wait.ts";

/** A world whose ends are made by `make`, all closed with it (then `cleanup`). */
function worldOf(
  make: (instanceId: string, end: BusEnd) => Promise<Bus>,
  extra: Partial<BusWorld> & { cleanup?: () => Promise<void> } = {},
): BusWorld {
  const ends: BusEnd[] = [];
  return {
    async start(instanceId) {
      const end = { heard: [] as BusEnvelope[], resubscribed: 0 } as BusEnd;
      end.bus = await make(instanceId, end);
      ends.push(end);
      return end;
    },
    cut: extra.cut,
    heal: extra.heal,
    async dispose() {
      for (const end of ends) await end.bus.close();
      await extra.cleanup?.();
    },
  };
}

const hooks = (end: BusEnd) => ({
  dispatch: (envelope: BusEnvelope) => end.heard.push(envelope),
  onResubscribe: () => end.resubscribed++,
});

busContract({
  name: "postgres",
  ignore: needs(POSTGRES_BACKEND).ignore,
  routes: false,
  replays: false,
  cuts: true,
  carriesMegabytes: true,
  open(messages: Map<string, WireMessage>) {
    const url = testDatabaseUrl();
    const channel = `bus_contract_${crypto.randomUUID().replaceAll("-", "")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    return Promise.resolve(worldOf(
      (instanceId, end) =>
        PostgresBus.start({
          url,
          channel,
          instanceId,
          loadMessage: (id) => Promise.resolve(messages.get(id) ?? null),
          ...hooks(end),
        }),
      {
        async cut() {
          // Every LISTEN session of this test's channel: both ends resubscribe.
          const killed = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE query ILIKE ${`listen%${channel}%`}`;
          if (killed.length === 0) throw new Error("no LISTEN connection found");
        },
        cleanup: () => admin.end(),
      },
    ));
  },
});

busContract({
  name: "kv",
  ignore: false,
  routes: false,
  replays: false,
  cuts: false,
  carriesMegabytes: false,
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "salon-bus-contract-" });
    const handles: Deno.Kv[] = [];
    return worldOf(
      async (instanceId, end) => {
        const kv = await Deno.openKv(`${dir}/bus.kv`);
        handles.push(kv);
        return await KvBus.start({ kv, instanceId, ...hooks(end) });
      },
      {
        async cleanup() {
          for (const kv of handles) kv.close();
          await Deno.remove(dir, { recursive: true });
        },
      },
    );
  },
});

busContract({
  name: "redis",
  ignore: needsBroker("redis").ignore,
  routes: true,
  replays: false,
  cuts: true,
  carriesMegabytes: true,
  open() {
    const url = brokerUrl("redis");
    const prefix = testPrefix();
    const admin = new Redis(url);
    return Promise.resolve(worldOf(
      (instanceId, end) => RedisBus.start({ url, prefix, instanceId, ...hooks(end) }),
      {
        async cut(_end, instanceId) {
          // The subscriber connection of that instance, killed by the server.
          const clients = await admin.call("CLIENT", "LIST") as string;
          const line = clients.split("\n").find((l) =>
            l.includes(`name=salon-subscriber-${instanceId} `)
          );
          if (!line) throw new Error("no subscriber connection found");
          const id = /(?:^|\s)id=(\d+)/.exec(line)![1];
          await admin.call("CLIENT", "KILL", "ID", id);
        },
        async cleanup() {
          await admin.quit();
        },
      },
    ));
  },
});

busContract({
  name: "nats",
  ignore: needsBroker("nats").ignore,
  routes: true,
  replays: true,
  cuts: true,
  carriesMegabytes: true,
  open() {
    const url = brokerUrl("nats");
    const prefix = testPrefix();
    // Each instance reaches NATS through a relay of its own: a cut is that connection's alone.
    const relays = new Map<string, TcpRelay>();
    return Promise.resolve(worldOf(
      async (instanceId, end) => {
        const relay = TcpRelay.start(url);
        relays.set(instanceId, relay);
        return await NatsBus.start({ url: relay.url("nats"), prefix, instanceId, ...hooks(end) });
      },
      {
        cut(_end, instanceId) {
          // The connection dies under the client, which retries until the relay lets it through.
          relays.get(instanceId)!.cut();
          return Promise.resolve();
        },
        async heal(_end, instanceId) {
          const relay = relays.get(instanceId)!;
          const accepted = relay.accepted;
          relay.heal();
          await eventually(() => relay.accepted > accepted, "the client reconnecting");
        },
        async cleanup() {
          for (const relay of relays.values()) relay.close();
          const nc = await connect({ servers: url });
          await (await jetstreamManager(nc)).streams.delete(streamName(prefix)).catch(() => {});
          await nc.close();
        },
      },
    ));
  },
});
