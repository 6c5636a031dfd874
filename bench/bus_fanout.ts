/**
 * Fan-out across instances (issue 19): three Salon processes on one PostgreSQL, 1,000
 * receivers spread over them (receiver i on instance i mod 3), one busy channel, senders on
 * every instance. For each bus (postgres, redis, nats) the highest fan-out whose p99 (send time
 * to receipt) stays within 50 ms with nothing lost, doubled or reordered, as a ratio to
 *
 * - one instance alone with all 1,000 receivers (same database, same users), and
 * - the raw engine: three bare WebSocket relays over Redis pub/sub or core NATS
 *   (bench/bus_relay_server.ts) carrying frames of the same shape and size to the same
 *   receivers, nothing of Salon in between;
 *
 * all in the same run; and the database's reads (SELECT round trips, counted by a wire proxy in
 * front of PostgreSQL: bench/pg_wire_counter.ts) per message during the judged steps, also
 * beyond what one instance alone reads (the bus's own reads: an instance that hears a message
 * on PostgreSQL's NOTIFY reads it back; Redis and NATS carry it whole).
 *
 *   deno task bench:bus [--quick] [--buses postgres,redis,nats] [--json]
 *
 * Needs TEST_DATABASE_URL, Redis at REDIS_URL (default redis://127.0.0.1:6379) and NATS with
 * JetStream at NATS_URL (default nats://127.0.0.1:4222). Every load is bounded: the servers,
 * the generator, the engines and the database share the machine's cores.
 */
import { parseArgs } from "node:util";
import { freshDatabase, ROOT } from "./servers.ts";
import { salonEnv, startRestartable } from "./salon_process.ts";
import type { RestartableServer } from "./salon_process.ts";
import { waitAccepting } from "./salon_process.ts";
import { startPgWireCounter } from "./pg_wire_counter.ts";
import type { PgWireCounter } from "./pg_wire_counter.ts";
import { inPool, registerUser } from "./seed_chat.ts";
import { stepPasses } from "./rate_search.ts";
import type { RateSearch } from "./rate_search.ts";
import type { BusFanoutScenario } from "./bus_fanout_clients.ts";
import { freePort } from "../tests/helpers/scratch.ts";
import type { HttpClient } from "../tests/helpers/http_client.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    buses: { type: "string", default: "postgres,redis,nats" },
    // Given by bench/run.ts to every script; this one always runs on PostgreSQL.
    stores: { type: "string", default: "postgres" },
  },
});
const QUICK = args.quick;
const BUSES = args.buses.split(",").filter(Boolean) as ("postgres" | "redis" | "nats")[];
const REDIS_URL = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
const NATS_URL = Deno.env.get("NATS_URL") ?? "nats://127.0.0.1:4222";

const INSTANCES = 3;
const RECEIVERS = 1000;
/** Senders, spread over the instances like the receivers (as bench/run.ts: 4). */
const SENDERS = 4;
const STEP_SECONDS = QUICK ? 2 : 4;
/** Registrations and joins in flight while seeding (a bounded load on 2 cores). */
const SEED_CONCURRENCY = 8;

/**
 * Every target gets the same search: a warm-up step, then doubling or halving from 16 msg/s
 * (16,000 deliveries/s), then bisections between the best passing and the lowest failing rate.
 */
const SEARCH: RateSearch = {
  warmUpRate: 8,
  startRate: 16,
  factor: 2,
  maxSteps: 6,
  refine: QUICK ? 2 : 4,
};

const log = (text: string) => {
  if (!args.json) console.error(`[bus-fanout] ${text}`);
};

interface Step {
  rate: number;
  warmUp?: boolean;
  messages: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** SELECT round trips on the database during the step (the bus's LISTEN connection apart). */
  reads?: number;
}

interface Outcome {
  label: string;
  steps: Step[];
  best: Step;
  /** Reads per message over the judged steps. */
  readsPerMessage: number;
}

/** A round trip that reads: SELECT or WITH … SELECT (pg_notify is the bus publishing). */
function isRead(label: string): boolean {
  return /^(select|with)\b/i.test(label) && !/pg_notify/i.test(label);
}

function reads(counter: PgWireCounter): number {
  let total = 0;
  for (const [label, count] of counter.snapshot()) if (isRead(label)) total += count;
  return total;
}

/** The fastest passing judged step (the fastest judged one if none passed: shown, flagged). */
function best(steps: Step[]): Step {
  const judged = steps.filter((step) => !step.warmUp);
  const good = judged.filter(stepPasses);
  return (good.length ? good : judged).reduce((a, b) =>
    b.deliveriesPerSecond > a.deliveriesPerSecond ? b : a
  );
}

/** Runs the generator over `bases`; the counter (if any) is read around each step. */
async function generate(
  label: string,
  scenario: Omit<BusFanoutScenario, "search" | "receivers" | "senders" | "stepSeconds">,
  counter?: PgWireCounter,
): Promise<Outcome> {
  const file = await Deno.makeTempFile({ prefix: "salon-bus-fanout-", suffix: ".json" });
  const full: BusFanoutScenario = {
    ...scenario,
    search: SEARCH,
    receivers: RECEIVERS,
    senders: SENDERS,
    stepSeconds: STEP_SECONDS,
  };
  await Deno.writeTextFile(file, JSON.stringify(full));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "bench/bus_fanout_clients.ts", file],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const readsByStep = new Map<number, number>();
  let stepStart = 0;
  let result: { steps: Step[] } | undefined;
  let buffer = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      if (line.phase === "step") {
        if (counter) stepStart = reads(counter);
        log(`${label}: step ${line.stepIndex} at ${line.rate} msg/s`);
      } else if (line.phase === "stepEnd" && counter) {
        readsByStep.set(line.stepIndex, reads(counter) - stepStart);
      } else if (line.result) {
        result = line.result;
      }
    }
  }
  const { code } = await child.status;
  await Deno.remove(file);
  if (code !== 0 || !result) throw new Error(`the generator failed for ${label} (exit ${code})`);
  const steps = result.steps.map((step, i) => ({ ...step, reads: readsByStep.get(i) }));
  const judged = steps.filter((step) => !step.warmUp);
  const messages = judged.reduce((sum, step) => sum + step.messages, 0);
  const readCount = judged.reduce((sum, step) => sum + (step.reads ?? 0), 0);
  return { label, steps, best: best(steps), readsPerMessage: counter ? readCount / messages : 0 };
}

/** `count` Salon processes on the database behind `counter`, with one bus. */
async function startInstances(
  count: number,
  bus: string,
  env: Record<string, string>,
): Promise<RestartableServer[]> {
  const servers: RestartableServer[] = [];
  for (let i = 0; i < count; i++) {
    const port = freePort();
    servers.push(await startRestartable(["main.ts"], salonEnv(port, { ...env, BUS: bus }), port));
  }
  return servers;
}

async function stopAll(servers: RestartableServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}

/** 1,004 users and one server they all belong to, through the public API of one instance. */
async function seed(base: string): Promise<{ cookies: string[]; channelId: string }> {
  const prefix = crypto.randomUUID().slice(0, 6);
  const users: HttpClient[] = await inPool(
    RECEIVERS + SENDERS,
    SEED_CONCURRENCY,
    (i) => registerUser(base, `f${prefix}${i}`),
  );
  const owner = users[0];
  const created = await owner.json<{ server: { id: string }; channels: { id: string }[] }>(
    "POST",
    "/api/servers",
    { json: { name: "Fan-out" } },
  );
  if (created.status !== 201) throw new Error(`server: ${created.status}`);
  const invite = await owner.json<{ code: string }>(
    "POST",
    `/api/servers/${created.body.server.id}/invites`,
  );
  await inPool(users.length - 1, SEED_CONCURRENCY, async (i) => {
    const joined = await users[i + 1].json("POST", `/api/invites/${invite.body.code}/join`);
    if (joined.status >= 300) throw new Error(`join: ${joined.status}`);
  });
  return { cookies: users.map((user) => user.cookie!), channelId: created.body.channels[0].id };
}

/** Three bare relays over one engine, on a channel of this run's own. */
async function relays(
  engine: "redis" | "nats",
): Promise<Deno.ChildProcess[] & { bases: string[] }> {
  const channel = `bench-relay-${crypto.randomUUID()}`;
  const url = engine === "redis" ? REDIS_URL : NATS_URL;
  const children = [] as unknown as Deno.ChildProcess[] & { bases: string[] };
  children.bases = [];
  for (let i = 0; i < INSTANCES; i++) {
    const port = freePort();
    children.push(
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          "bench/bus_relay_server.ts",
          String(port),
          engine,
          url,
          channel,
        ],
        cwd: ROOT,
        stdout: "null",
        stderr: "inherit",
      }).spawn(),
    );
    await waitAccepting(port);
    children.bases.push(`http://127.0.0.1:${port}`);
  }
  return children;
}

const started = performance.now();
const database = await freshDatabase();
const counter = startPgWireCounter(database.url);
const env = {
  DATABASE_URL: counter.url,
  REDIS_URL,
  NATS_URL,
  BUS_PREFIX: `bench${crypto.randomUUID().slice(0, 8)}`,
  // Every instance signs and checks the same session tokens.
  JWT_SECRET: crypto.randomUUID() + crypto.randomUUID(),
};
const outcomes: Outcome[] = [];
const raw = new Map<string, Outcome>();
try {
  log(`seeding ${RECEIVERS + SENDERS} users`);
  let servers = await startInstances(1, "postgres", env);
  const { cookies, channelId } = await seed(servers[0].base);
  log(`one instance alone (${RECEIVERS} receivers)`);
  const base = { target: "salon" as const, cookies, channelId };
  outcomes.push(await generate("one instance", { ...base, bases: [servers[0].base] }, counter));
  await stopAll(servers);
  for (const bus of BUSES) {
    servers = await startInstances(INSTANCES, bus, env);
    log(`${INSTANCES} instances, BUS=${bus}`);
    try {
      const bases = servers.map((server) => server.base);
      outcomes.push(await generate(`${INSTANCES} × ${bus}`, { ...base, bases }, counter));
    } finally {
      await stopAll(servers);
    }
    if (bus === "postgres") continue;
    const engines = await relays(bus);
    log(`raw ${bus} relay × ${INSTANCES}`);
    try {
      raw.set(
        bus,
        await generate(`raw ${bus}`, { ...base, target: "raw", bases: engines.bases }),
      );
    } finally {
      for (const child of engines) {
        child.kill("SIGTERM");
        await child.status;
      }
    }
  }
} finally {
  counter.close();
  await database.drop();
}

const alone = outcomes[0];
const rows = [...outcomes, ...raw.values()].map((outcome) => {
  const { best: step } = outcome;
  const engine = raw.get(outcome.label.split(" × ")[1] ?? "");
  const salon = !outcome.label.startsWith("raw");
  return {
    target: outcome.label,
    deliveriesPerSecond: step.deliveriesPerSecond,
    messagesPerSecond: step.rate,
    passed: stepPasses(step),
    p50: step.p50,
    p99: step.p99,
    toOneInstance: salon ? step.deliveriesPerSecond / alone.best.deliveriesPerSecond : undefined,
    toRawEngine: engine && salon
      ? step.deliveriesPerSecond / engine.best.deliveriesPerSecond
      : undefined,
    readsPerMessage: salon ? outcome.readsPerMessage : undefined,
    busReadsPerMessage: salon && outcome !== alone
      ? outcome.readsPerMessage - alone.readsPerMessage
      : undefined,
    lost: step.lost,
    duplicates: step.duplicates,
    outOfOrder: step.outOfOrder,
  };
});
const seconds = (performance.now() - started) / 1000;
if (args.json) {
  console.log(
    JSON.stringify({ quick: QUICK, seconds, rows, outcomes: [...outcomes, ...raw.values()] }),
  );
} else {
  const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? "–" : value.toFixed(digits);
  const table = rows.map((row) => [
    row.target,
    `${Math.round(row.deliveriesPerSecond)} deliveries/s${row.passed ? "" : " (none passed)"}`,
    `${row.messagesPerSecond} msg/s`,
    `p50 ${row.p50.toFixed(1)} p99 ${row.p99.toFixed(1)} ms`,
    fixed(row.toOneInstance, 2),
    fixed(row.toRawEngine, 2),
    fixed(row.readsPerMessage, 2),
    fixed(row.busReadsPerMessage, 2),
    `lost ${row.lost} dup ${row.duplicates} ooo ${row.outOfOrder}`,
  ]);
  const header = [
    "target",
    "fan-out at p99 ≤ 50 ms",
    "rate",
    "latency",
    "÷ one instance",
    "÷ raw engine",
    "reads/msg",
    "bus reads/msg",
    "integrity",
  ];
  const all = [header, ...table];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  for (const row of all) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
  console.log(
    `\n${RECEIVERS} receivers, ${SENDERS} senders, ${STEP_SECONDS} s steps; ${
      seconds.toFixed(0)
    } s`,
  );
}
