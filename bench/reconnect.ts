/**
 * `deno run --allow-all bench/reconnect.ts [--quick] [--json] [--stores kv,postgres]
 * [--sockets 1000]`: 1,000 authenticated sockets reconnecting at once after a restart, until
 * every one has `ready` again, on each store, against B_ws in the same run.
 *
 * Each round: a client process (bench/reconnect_clients.ts, one socket per user) connects every
 * socket and waits for its `ready`; the bench stops the server with SIGTERM (Salon closes the
 * sockets with 1012), starts it again on the same port and data, and tells the clients the
 * instant the new process accepts (a TCP probe every 5 ms); every socket then reconnects at
 * once and sends `resume`. The figure is the time from that instant to the last `ready`.
 * B_ws here is bench/baseline_ready_ws_server.ts: the bare WebSocket server with a `ready`
 * frame on open and 1012 on SIGTERM. Rounds go B_ws, KV, PostgreSQL, the order rotating with
 * each repetition, so a slow spell of this shared 2-core machine weighs on every side alike.
 *
 * Data, made once per store through the HTTP API: one user per socket, in servers of
 * MEMBERS_PER_SERVER members with CHANNELS_PER_SERVER channels, one message in each channel
 * (each user's `ready` lists 1 server and its channels; presence reaches 19 others).
 *
 * PostgreSQL needs TEST_DATABASE_URL (a database the bench may create databases in). Each
 * process holds one file descriptor per socket: check `ulimit -n` (4096 or more).
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { freePort } from "../tests/helpers/scratch.ts";
import { salonEnv, startRestartable } from "./salon_process.ts";
import type { RestartableServer } from "./salon_process.ts";
import {
  createServerWithChannels,
  inPool,
  joinAll,
  postMessages,
  REGISTER_CONCURRENCY,
  registerUser,
} from "./seed_chat.ts";
import { freshDatabase, ROOT, usage } from "./servers.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    stores: { type: "string", default: "kv,postgres" },
    sockets: { type: "string", default: "1000" },
  },
});
const STORES = values.stores.split(",") as ("kv" | "postgres")[];
const SOCKETS = Number(values.sockets);
const REPETITIONS = values.quick ? 1 : 5;
/** Members of each seeded server (each user belongs to one). */
const MEMBERS_PER_SERVER = 20;
const CHANNELS_PER_SERVER = 5;
/** /proc's CPU time unit (USER_HZ, 100 on Linux), as bench/run.ts reads it. */
const CLOCK_TICKS_PER_S = 100;
const started = performance.now();
const log = (text: string) =>
  values.json || console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${text}`);

interface Side {
  name: "B_ws" | "kv" | "postgres";
  server: RestartableServer;
  /** PostgreSQL: the database's URL, to find the backends that serve it. */
  databaseUrl?: string;
  /** One session cookie per socket (B_ws ignores them; they are sent all the same). */
  cookies: string[];
  cleanup: () => Promise<void>;
}

interface Round {
  sockets: number;
  /** From the new server accepting to the last socket's `ready`. */
  lastReadyMs: number;
  p50Ms: number;
  p90Ms: number;
  firstReadyMs: number;
  /** Attempts after the restart that failed and were made again. */
  retries: number;
  /** Close codes the clients saw, restart and retries together. */
  closeCodes: Record<string, number>;
  /** From SIGTERM to the new process accepting (not part of the figure). */
  restartMs: number;
  /** CPU the new server process used from accepting to the last `ready` (less noisy). */
  serverCpuS: number;
  /** PostgreSQL: CPU its backends for the database used over the same time. */
  databaseCpuS?: number;
}

/** Users in servers of MEMBERS_PER_SERVER, each server with its channels and messages. */
async function seedSalon(base: string): Promise<string[]> {
  const users = await inPool(SOCKETS, REGISTER_CONCURRENCY, (i) => registerUser(base, `user${i}`));
  const groups = Math.ceil(SOCKETS / MEMBERS_PER_SERVER);
  await inPool(groups, 2, async (g) => {
    const members = users.slice(g * MEMBERS_PER_SERVER, (g + 1) * MEMBERS_PER_SERVER);
    const server = await createServerWithChannels(members[0], `Group ${g}`, CHANNELS_PER_SERVER);
    for (const channelId of server.channelIds) await postMessages(members[0], channelId, 1);
    await joinAll(members[0], server.id, members.slice(1));
  });
  return users.map((user) => user.cookie!);
}

async function startSide(name: Side["name"], cookies: string[]): Promise<Side> {
  const port = freePort();
  if (name === "B_ws") {
    const server = await startRestartable(
      ["bench/baseline_ready_ws_server.ts", String(port)],
      {},
      port,
    );
    return { name, server, cookies, cleanup: async () => {} };
  }
  const dir = await Deno.makeTempDir({ prefix: "salon-reconnect-" });
  let store: Record<string, string> = { KV_PATH: `${dir}/reconnect.kv` };
  let drop = async () => {};
  if (name === "postgres") {
    const db = await freshDatabase();
    store = { DATABASE_URL: db.url };
    drop = db.drop;
  }
  // SALON_CPU_PROF=<dir>: each Salon process writes a V8 CPU profile there when it stops (as in
  // bench/servers.ts); the one of a restarted process covers the storm.
  const profile = Deno.env.get("SALON_CPU_PROF");
  const databaseUrl = store.DATABASE_URL;
  const server = await startRestartable(
    [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []), "main.ts"],
    // Clients stand for many addresses (X-Forwarded-For), as behind a reverse proxy.
    salonEnv(port, { ...store, TRUST_PROXY: "127.0.0.1" }),
    port,
  );
  log(`${name}: seeding ${SOCKETS} users`);
  return {
    name,
    server,
    databaseUrl,
    cookies: await seedSalon(server.base),
    cleanup: async () => {
      await drop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** JSON lines of a child's stdout. */
async function* jsonLines(stream: ReadableStream<BufferSource>) {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
    }
  }
}

/** CPU ticks of each PostgreSQL backend serving the database of `url` (its pid → ticks). */
async function backendTicks(url: string): Promise<Map<number, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ pid: number }[]>`SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`;
    const ticks = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        ticks.set(pid, usage(pid).ticks);
      } catch {
        // The backend ended meanwhile.
      }
    }
    return ticks;
  } finally {
    await sql.end();
  }
}

/** Ticks the backends of `after` used since `before` (a backend new since then from zero). */
function ticksSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ticks] of after) total += ticks - (before.get(pid) ?? 0);
  return total;
}

/** One restart of `side`'s server under its connected sockets. */
async function round(side: Side): Promise<Round> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "bench/reconnect_clients.ts"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const input = child.stdin.getWriter();
  const say = (line: string) => input.write(new TextEncoder().encode(`${line}\n`));
  await say(JSON.stringify({ base: side.server.base, cookies: side.cookies }));
  let restartMs = 0;
  let ticksAtUp = 0;
  let backendsAtUp: Promise<Map<number, number>> | undefined;
  let result: Round | undefined;
  for await (const line of jsonLines(child.stdout)) {
    if (line.phase === "connected") {
      const stopping = performance.now();
      await side.server.stop();
      await side.server.start();
      restartMs = performance.now() - stopping;
      ticksAtUp = usage(side.server.pid()).ticks;
      await say("up");
      // Read while the storm starts: a backend's first milliseconds are all it can miss.
      if (side.databaseUrl) backendsAtUp = backendTicks(side.databaseUrl);
    }
    if ("result" in line) {
      const serverCpuS = (usage(side.server.pid()).ticks - ticksAtUp) / CLOCK_TICKS_PER_S;
      result = { ...(line.result as Round), restartMs, serverCpuS };
      if (side.databaseUrl && backendsAtUp) {
        const after = await backendTicks(side.databaseUrl);
        result.databaseCpuS = ticksSince(await backendsAtUp, after) / CLOCK_TICKS_PER_S;
      }
    }
  }
  await input.close().catch(() => {});
  if (!(await child.status).success || !result) throw new Error(`${side.name}: clients failed`);
  return result;
}

const sides: Side[] = [];
for (const store of STORES) sides.push(await startSide(store, []));
sides.unshift(await startSide("B_ws", sides[0].cookies));
const rounds = new Map<string, Round[]>(sides.map((side) => [side.name, []]));
try {
  for (let r = 0; r < REPETITIONS; r++) {
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(i + r) % sides.length];
      log(`repetition ${r + 1}: ${side.name}`);
      rounds.get(side.name)!.push(await round(side));
    }
  }
} finally {
  for (const side of sides) {
    await side.server.stop();
    await side.cleanup();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (name: string) => {
  const last = rounds.get(name)!.map((round) => round.lastReadyMs);
  const cpu = rounds.get(name)!.map((round) => round.serverCpuS);
  const database = rounds.get(name)!.map((round) => round.databaseCpuS ?? 0);
  return {
    min: Math.min(...last),
    median: median(last),
    medianCpuS: median(cpu),
    medianDatabaseCpuS: median(database),
  };
};
const baseline = summary("B_ws");
const report = {
  quick: values.quick,
  date: new Date().toISOString(),
  sockets: SOCKETS,
  repetitions: REPETITIONS,
  sides: Object.fromEntries(sides.map((side) => {
    const s = summary(side.name);
    return [side.name, {
      ...s,
      ratioOfMedians: s.median / baseline.median,
      ratioOfMins: s.min / baseline.min,
      ratioOfCpu: s.medianCpuS / baseline.medianCpuS,
      rounds: rounds.get(side.name),
    }];
  })),
};
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  for (const [name, side] of Object.entries(report.sides)) {
    console.log(
      `${name.padEnd(8)} last ready min ${side.min.toFixed(0)} ms, median ${
        side.median.toFixed(0)
      } ms; × B_ws: ${side.ratioOfMedians.toFixed(2)} (medians), ${
        side.ratioOfMins.toFixed(2)
      } (mins); server CPU median ${side.medianCpuS.toFixed(2)} s (× B_ws ${
        side.ratioOfCpu.toFixed(2)
      })${
        side.medianDatabaseCpuS
          ? `, PostgreSQL backends ${side.medianDatabaseCpuS.toFixed(2)} s`
          : ""
      }`,
    );
    for (const round of side.rounds!) {
      console.log(
        `         last ${round.lastReadyMs.toFixed(0)} ms, p50 ${round.p50Ms.toFixed(0)}, p90 ${
          round.p90Ms.toFixed(0)
        }, first ${round.firstReadyMs.toFixed(0)}; retries ${round.retries}; closes ${
          JSON.stringify(round.closeCodes)
        }; restart ${round.restartMs.toFixed(0)} ms; server CPU ${round.serverCpuS.toFixed(2)} s${
          round.databaseCpuS === undefined ? "" : ` + PostgreSQL ${round.databaseCpuS.toFixed(2)} s`
        }`,
      );
    }
  }
}
Deno.exit(0);
