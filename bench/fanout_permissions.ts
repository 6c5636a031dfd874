/**
 * `deno run -A bench/fanout_permissions.ts [--quick] [--json] [--stores kv,postgres]`: what
 * permissions cost the fan-out (issue 14). One Salon process per store holds two servers of
 * N = 100 receivers and 4 senders: a plain one, and a governed one whose channel has three
 * role overwrites and whose members hold two roles each (everyone still sees the channel, so
 * both deliver the same). Steps at one fixed rate alternate between the two (ABBA…), and the
 * server's CPU is read over each step.
 *
 * The figure is the ratio of the server's CPU per delivery, plain ÷ governed: the fan-out is
 * CPU-bound, so it is the ratio of the rates the two can sustain (target ≥ 0.95), measured in
 * the same run, on the same process, minutes apart at most. A max-rate search was no use
 * here: its ratio moves by 0.2 from one run to the next on this machine (BENCHMARKS.md), more
 * than the 5 % it would have to show.
 *
 * Then the hub alone in this process (bench/hub_fanout.ts): the same two servers over the same
 * store, `message` envelopes dispatched to do-nothing sockets, ABBA…: the hot path's own
 * relative cost, without the sockets' and the machine's noise.
 *
 * PostgreSQL needs TEST_DATABASE_URL (a database the bench may create databases in).
 */
import { parseArgs } from "node:util";
import { openKvStore } from "../db/kv/kv_store.ts";
import { openPostgresStore } from "../db/postgres/postgres_store.ts";
import type { Store } from "../db/store.ts";
import { hubFanout } from "./hub_fanout.ts";
import type { HubFanoutResult } from "./hub_fanout.ts";
import { freshDatabase, ROOT, startSalon, usage } from "./servers.ts";
import type { Server } from "./servers.ts";
import { stepPasses } from "./rate_search.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    stores: { type: "string", default: "kv,postgres" },
  },
});
const QUICK = values.quick;
const STORES = values.stores.split(",") as ("kv" | "postgres")[];
const RECEIVERS = 100;
const SENDERS = 4;
const STEP_SECONDS = QUICK ? 2 : 4;
const ROUNDS = QUICK ? 3 : 6;
/**
 * Messages per second of every step: 60,000 deliveries/s, about 0.6 of what Salon sustains at
 * N = 100 on this machine (BENCHMARKS.md), so every step passes and the CPU is the hot path's.
 */
const RATE = 600;
const TARGET = 0.95;

interface Step {
  label: "plain" | "governed";
  warmUp?: boolean;
  rate: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  serverCpuSeconds?: number;
}

const started = performance.now();
const log = (text: string) =>
  values.json || console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${text}`);

/** Runs the load generator's pair scenario, reading the server's CPU over each step. */
async function measure(server: Server): Promise<Step[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "bench/load.ts",
      JSON.stringify({
        mode: "fanoutPermissions",
        base: server.base,
        receivers: RECEIVERS,
        senders: SENDERS,
        stepSeconds: STEP_SECONDS,
        rate: RATE,
        rounds: ROUNDS,
        warmUpRate: RATE / 2,
      }),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const cpu = new Map<number, number>();
  let stepStart = 0;
  let steps: Step[] | undefined;
  let buffer = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      if (line.phase === "step") stepStart = usage(server.pid).ticks;
      if (line.phase === "stepEnd") {
        cpu.set(line.stepIndex, (usage(server.pid).ticks - stepStart) / 100);
      }
      if ("result" in line) steps = line.result.steps;
    }
  }
  if (!(await child.status).success || !steps) throw new Error("load generator failed");
  steps.forEach((step, i) => step.serverCpuSeconds = cpu.get(i));
  return steps;
}

/** Server CPU per delivery of a step, in µs. */
function micros(step: Step): number {
  return (step.serverCpuSeconds! * 1e6) / (step.deliveriesPerSecond * STEP_SECONDS);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The figures of one variant over its judged steps. */
function summary(steps: Step[], label: Step["label"]) {
  const judged = steps.filter((step) => step.label === label && !step.warmUp);
  return {
    microsPerDelivery: median(judged.map(micros)),
    each: judged.map((step) => Number(micros(step).toFixed(2))),
    p99: median(judged.map((step) => step.p99)),
    worstP99: Math.max(...judged.map((step) => step.p99)),
    allPassed: judged.every(stepPasses),
    lost: steps.filter((s) => s.label === label).reduce((sum, s) => sum + s.lost, 0),
    duplicates: steps.filter((s) => s.label === label).reduce((sum, s) => sum + s.duplicates, 0),
    outOfOrder: steps.filter((s) => s.label === label).reduce((sum, s) => sum + s.outOfOrder, 0),
  };
}

/** The hub-only measurement over a fresh store of that kind. */
async function hubOnly(store: "kv" | "postgres"): Promise<HubFanoutResult> {
  let opened: Store;
  let cleanup: () => Promise<void>;
  if (store === "kv") {
    const dir = await Deno.makeTempDir({ prefix: "salon-hub-bench-" });
    opened = await openKvStore(`${dir}/hub.kv`);
    cleanup = () => Deno.remove(dir, { recursive: true });
  } else {
    const db = await freshDatabase();
    opened = await openPostgresStore(db.url);
    cleanup = db.drop;
  }
  try {
    return await hubFanout(opened, {
      receivers: RECEIVERS,
      messages: 5000,
      rounds: QUICK ? 4 : 10,
    });
  } finally {
    await opened.close();
    await cleanup();
  }
}

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  quick: QUICK,
  receivers: RECEIVERS,
  rate: RATE,
  stepSeconds: STEP_SECONDS,
  rounds: ROUNDS,
};
const rows: string[][] = [];
const hubRows: string[][] = [];
for (const store of STORES) {
  log(`permissions fan-out on ${store}: N=${RECEIVERS}, ${RATE} msgs/s, ${ROUNDS} rounds`);
  const server = await startSalon(store);
  let steps: Step[];
  try {
    steps = await measure(server);
  } finally {
    await server.stop();
  }
  const plain = summary(steps, "plain");
  const governed = summary(steps, "governed");
  const ratio = plain.microsPerDelivery / governed.microsPerDelivery;
  const clean = [plain, governed].every((v) => v.lost + v.duplicates + v.outOfOrder === 0);
  log(`hub alone on ${store}`);
  const hub = await hubOnly(store);
  report[store] = { plain, governed, ratio, steps, hub };
  hubRows.push([
    store,
    `${hub.plainNs.toFixed(1)} ns`,
    `${hub.governedNs.toFixed(1)} ns`,
    hub.ratio.toFixed(3),
    `${hub.deliveries} deliveries`,
    hub.ratio >= TARGET ? "met" : "MISSED",
  ]);
  rows.push([
    store,
    `${plain.microsPerDelivery.toFixed(2)} µs (${plain.each.join(", ")})`,
    `${governed.microsPerDelivery.toFixed(2)} µs (${governed.each.join(", ")})`,
    ratio.toFixed(3),
    `p99 ${plain.p99.toFixed(1)} / ${governed.p99.toFixed(1)} ms (worst ${
      plain.worstP99.toFixed(1)
    } / ${governed.worstP99.toFixed(1)}); lost ${plain.lost + governed.lost} dup ${
      plain.duplicates + governed.duplicates
    } ooo ${plain.outOfOrder + governed.outOfOrder}`,
    ratio >= TARGET && clean ? "met" : "MISSED",
  ]);
}

if (values.json) {
  console.log(JSON.stringify({ fanoutPermissions: report }));
} else {
  const table = (title: string, header: string[], body: string[][]) => {
    const all = [header, ...body];
    const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
    console.log(`\n${title}`);
    for (const row of all) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
  };
  table(
    `Permissions fan-out: N = ${RECEIVERS}, ${RATE} msgs/s, ${ROUNDS} rounds of ${STEP_SECONDS} s steps (plain ÷ governed)`,
    [
      "store",
      "plain: server CPU/delivery (each step)",
      "governed",
      "ratio",
      "details",
      `≥ ${TARGET}`,
    ],
    rows,
  );
  table(
    "The hub alone (in process, do-nothing sockets; median per delivery)",
    ["store", "plain", "governed", "ratio", "details", `≥ ${TARGET}`],
    hubRows,
  );
}
