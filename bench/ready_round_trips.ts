/**
 * `deno run --allow-all bench/ready_round_trips.ts [--quick] [--json] [--stores kv,postgres]`:
 * how many store round trips one WebSocket's `ready` costs, and which, for a member of 1×1,
 * 10×20 and 100×20 servers × channels, plus the time from opening the socket to `ready`.
 *
 * - Deno KV is embedded, so a round trip is a call into KV: Salon runs in this process over a
 *   KvStore whose Deno.Kv is wrapped in a counting Proxy (bench/kv_call_counter.ts); the Store
 *   methods called are counted too.
 * - PostgreSQL: Salon runs as a process (`main.ts`) whose DATABASE_URL points at a loopback
 *   proxy that counts the frontend's Syncs and simple queries per SQL statement
 *   (bench/pg_wire_counter.ts); the bus's LISTEN connection is left out.
 *
 * A count is the difference between just before the socket opens and just after its `ready`
 * arrives, with one client and nothing else running; a quiet interval before each size shows
 * the idle noise (0 expected). Times come from a second Salon process on the same data without
 * any counting in its way (p50 over several connects, each after the previous one closed).
 * Data is made through the HTTP API (bench/seed_chat.ts), each size grown from the one before.
 *
 * PostgreSQL needs TEST_DATABASE_URL (a database the bench may create databases in).
 */
import { parseArgs } from "node:util";
import { KvStore } from "../db/kv/kv_store.ts";
import { loadConfig } from "../lib/config.ts";
import { createServices } from "../lib/services.ts";
import { createApp } from "../routes/app.ts";
import { freePort } from "../tests/helpers/scratch.ts";
import type { HttpClient } from "../tests/helpers/http_client.ts";
import { countingCalls, countingKv, difference, newTally } from "./kv_call_counter.ts";
import { startPgWireCounter } from "./pg_wire_counter.ts";
import { salonEnv, startRestartable } from "./salon_process.ts";
import type { RestartableServer } from "./salon_process.ts";
import { growServers, registerUser } from "./seed_chat.ts";
import type { SeededServer } from "./seed_chat.ts";
import { freshDatabase } from "./servers.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    stores: { type: "string", default: "kv,postgres" },
  },
});
const STORES = values.stores.split(",") as ("kv" | "postgres")[];
/** Servers × channels of the member whose `ready` is measured. */
const SHAPES: [servers: number, channels: number][] = [[1, 1], [10, 20], [100, 20]];
/** Connects counted per size (each one's count is shown: they should all be equal). */
const COUNTED_CONNECTS = values.quick ? 2 : 4;
/** Connects timed per size (p50). */
const TIMED_CONNECTS = values.quick ? 3 : 9;
/** The quiet interval that shows what the store does with no client (idle noise). */
const QUIET_MS = 500;
const started = performance.now();
const log = (text: string) =>
  values.json || console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${text}`);

const DenoWebSocket = WebSocket as unknown as new (
  url: string,
  options?: { headers: Record<string, string> },
) => WebSocket;

/** Opens an authenticated socket, resumes nothing (as bench/load.ts), resolves at `ready`. */
function connectUntilReady(
  base: string,
  cookie: string,
): Promise<{ ms: number; socket: WebSocket }> {
  const opened = performance.now();
  const socket = new DenoWebSocket(`${base.replace(/^http/, "ws")}/ws`, {
    headers: { Cookie: cookie },
  });
  return new Promise((resolve, reject) => {
    socket.onopen = () => socket.send('{"type":"resume","channels":{}}');
    socket.onmessage = (event) => {
      if (String(event.data).startsWith('{"type":"ready"')) {
        resolve({ ms: performance.now() - opened, socket });
      }
    };
    socket.onerror = () => reject(new Error("socket failed"));
  });
}

async function closeAndSettle(socket: WebSocket): Promise<void> {
  const closed = new Promise((resolve) => socket.addEventListener("close", resolve));
  socket.close();
  await closed;
  // The server's own close handling (presence "offline") runs outside the next count.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a counting Salon instance offers: where it serves and its counters. */
interface CountedSalon {
  base: string;
  /** Round trips per label so far. */
  roundTrips(): Map<string, number>;
  /** Store method calls per name so far (KV only: PostgreSQL's are in another process). */
  storeCalls?(): Map<string, number>;
  /** Round trips on the bus's own connection so far (PostgreSQL's LISTEN connection). */
  busRoundTrips?(): number;
  close(): Promise<void>;
}

/** Salon in this process over a KV file whose every call is counted. */
async function countedKvSalon(path: string): Promise<CountedSalon> {
  const kvTally = newTally();
  const storeTally = newTally();
  const kv = countingKv(await Deno.openKv(path), kvTally);
  const store = countingCalls(new KvStore(kv), storeTally);
  const config = loadConfig(salonEnv(freePort(), { KV_PATH: path }));
  const services = await createServices(config, store);
  const app = createApp({ config, ...services });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    roundTrips: () => kvTally.snapshot(),
    storeCalls: () => storeTally.snapshot(),
    async close() {
      await services.close();
      await server.shutdown();
      kv.close();
    },
  };
}

/** Salon as a process over PostgreSQL, through the counting proxy. */
async function countedPgSalon(databaseUrl: string): Promise<CountedSalon> {
  const counter = startPgWireCounter(databaseUrl);
  const port = freePort();
  const salon = await startRestartable(
    ["main.ts"],
    salonEnv(port, { DATABASE_URL: counter.url }),
    port,
  );
  return {
    base: salon.base,
    roundTrips: () => counter.snapshot(),
    busRoundTrips: () => counter.busRoundTrips(),
    async close() {
      await salon.stop();
      counter.close();
    },
  };
}

const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
const sorted = (counts: Map<string, number>) =>
  Object.fromEntries([...counts].sort(([, a], [, b]) => b - a));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface SizeResult {
  servers: number;
  channels: number;
  /** Round trips of each counted connect. */
  roundTrips: number[];
  /** By label, for the last counted connect. */
  byLabel: Record<string, number>;
  /** Store method calls of the last counted connect (KV). */
  storeCalls?: Record<string, number>;
  /** Round trips in the quiet interval with no client. */
  idleNoise: number;
  /** Round trips on the bus's LISTEN connection during the counted connects (PostgreSQL). */
  busRoundTrips?: number;
  timesMs: number[];
  p50Ms: number;
}

async function measureSize(
  counted: CountedSalon,
  timed: RestartableServer,
  cookie: string,
  servers: number,
  channels: number,
): Promise<SizeResult> {
  const quietStart = counted.roundTrips();
  await sleep(QUIET_MS);
  const idleNoise = sum(difference(counted.roundTrips(), quietStart));
  const roundTrips: number[] = [];
  const busBefore = counted.busRoundTrips?.();
  let byLabel = new Map<string, number>();
  let storeCalls: Map<string, number> | undefined;
  for (let i = 0; i < COUNTED_CONNECTS; i++) {
    const before = counted.roundTrips();
    const callsBefore = counted.storeCalls?.();
    const { socket } = await connectUntilReady(counted.base, cookie);
    byLabel = difference(counted.roundTrips(), before);
    if (callsBefore) storeCalls = difference(counted.storeCalls!(), callsBefore);
    roundTrips.push(sum(byLabel));
    await closeAndSettle(socket);
  }
  const busRoundTrips = busBefore === undefined ? undefined : counted.busRoundTrips!() - busBefore;
  const timesMs: number[] = [];
  for (let i = 0; i < TIMED_CONNECTS; i++) {
    const { ms, socket } = await connectUntilReady(timed.base, cookie);
    timesMs.push(ms);
    await closeAndSettle(socket);
  }
  return {
    servers,
    channels,
    roundTrips,
    byLabel: sorted(byLabel),
    storeCalls: storeCalls && sorted(storeCalls),
    idleNoise,
    busRoundTrips,
    timesMs,
    p50Ms: median(timesMs),
  };
}

/** Every size on one store: seeds through the counting instance, times on a plain process. */
async function measureStore(store: "kv" | "postgres"): Promise<SizeResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "salon-ready-" });
  let drop = async () => {};
  let counted: CountedSalon;
  let storeEnv: Record<string, string>;
  if (store === "kv") {
    const path = `${dir}/ready.kv`;
    counted = await countedKvSalon(path);
    storeEnv = { KV_PATH: path };
  } else {
    const db = await freshDatabase();
    drop = db.drop;
    counted = await countedPgSalon(db.url);
    storeEnv = { DATABASE_URL: db.url };
  }
  const port = freePort();
  // A second instance on the same data, for times (the KV one sees the file the other writes).
  const timed = await startRestartable(["main.ts"], salonEnv(port, storeEnv), port);
  const results: SizeResult[] = [];
  try {
    const member: HttpClient = await registerUser(counted.base, "member");
    let seeded: SeededServer[] = [];
    for (const [servers, channels] of SHAPES) {
      log(`${store}: seeding ${servers} × ${channels}`);
      seeded = await growServers(member, seeded, servers, channels);
      log(`${store}: measuring ${servers} × ${channels}`);
      results.push(await measureSize(counted, timed, member.cookie!, servers, channels));
    }
  } finally {
    await timed.stop();
    await counted.close();
    await drop();
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}

const report: Record<string, unknown> = { quick: values.quick, date: new Date().toISOString() };
for (const store of STORES) report[store] = await measureStore(store);

if (values.json) {
  console.log(JSON.stringify(report));
} else {
  for (const store of STORES) {
    console.log(`\n${store}`);
    for (const size of report[store] as SizeResult[]) {
      console.log(
        `  ${size.servers} × ${size.channels}: round trips ${size.roundTrips.join(", ")}` +
          `; idle noise ${size.idleNoise}${
            size.busRoundTrips === undefined ? "" : `; on the bus connection ${size.busRoundTrips}`
          }; ready p50 ${size.p50Ms.toFixed(1)} ms` +
          ` (${size.timesMs.map((t) => t.toFixed(0)).join(", ")})`,
      );
      console.log(`    by label: ${JSON.stringify(size.byLabel)}`);
      if (size.storeCalls) console.log(`    store calls: ${JSON.stringify(size.storeCalls)}`);
    }
  }
}
Deno.exit(0);
