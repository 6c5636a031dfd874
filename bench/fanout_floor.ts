/**
 * The fan-out floor: the latency of one message at a time (nothing queues) from a bare
 * broadcast server (bench/baseline_ws_server.ts) to N receivers, with the receivers read by
 * the generator's main thread or by Workers (bench/fanout_receivers.ts). With N = 1 it is a
 * trivial echo (timers, pacing, Nagle: all in it); as N grows the p50 and p99 grow with the
 * burst of N deliveries the server writes and the generator reads, one after another, on the
 * same cores: what bench/bus_fanout.ts's p99 ≤ 50 ms search meets first with 1,000 receivers.
 *
 *   deno run -A bench/fanout_floor.ts [--receivers 1,100,1000] [--workers 0,2] [--rate 4]
 */
import { parseArgs } from "node:util";
import { freePort } from "../tests/helpers/scratch.ts";
import { ROOT } from "./servers.ts";
import { waitAccepting } from "./salon_process.ts";
import {
  CONNECT_BATCH,
  inBatches,
  localReceivers,
  openSocket,
  pacedStepRunner,
} from "./paced_fanout.ts";
import type { ReceiverGroup } from "./paced_fanout.ts";
import { workerReceivers } from "./fanout_receivers.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    receivers: { type: "string", default: "1,100,1000" },
    workers: { type: "string", default: "0,2" },
    rate: { type: "string", default: "4" },
    seconds: { type: "string", default: "5" },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);

/** CPU seconds (user + system) a process has used so far (Linux: /proc). */
function cpuSeconds(pid: number | "self"): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const port = freePort();
const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-all", "bench/baseline_ws_server.ts", String(port)],
  cwd: ROOT,
  stdout: "null",
  stderr: "inherit",
}).spawn();
const base = `http://127.0.0.1:${port}`;
console.log(`load average ${Deno.loadavg().map((value) => value.toFixed(2)).join(" ")}`);
try {
  await waitAccepting(port);
  for (const receivers of args.receivers.split(",").map(Number)) {
    for (const workers of args.workers.split(",").map(Number)) {
      const specs = Array.from({ length: receivers }, () => ({ base }));
      const groups: ReceiverGroup[] = workers > 0
        ? await workerReceivers(specs, workers)
        : [localReceivers(await inBatches(receivers, CONNECT_BATCH, () => openSocket(base)))];
      const [sender] = await inBatches(1, 1, () => openSocket(base));
      const run = pacedStepRunner({
        stepSeconds: SECONDS,
        senders: [sender],
        send: (socket, text) =>
          socket.send(JSON.stringify({ type: "message", message: { content: text } })),
        groups,
        quiet: true,
      });
      const before = { server: cpuSeconds(server.pid), generator: cpuSeconds("self") };
      const step = await run(0, RATE);
      const deliveries = step.deliveriesPerSecond * SECONDS;
      const perDelivery = (seconds: number) => ((seconds / deliveries) * 1e6).toFixed(1);
      console.log(
        `N=${receivers} workers=${workers}: p50 ${step.p50.toFixed(1)} p99 ${
          step.p99.toFixed(1)
        } max ${step.max.toFixed(1)} ms; lost ${step.lost}; server ${
          perDelivery(cpuSeconds(server.pid) - before.server)
        } µs/delivery, generator's main thread and Workers ${
          perDelivery(cpuSeconds("self") - before.generator)
        } µs/delivery`,
      );
      await Promise.all(groups.map((group) => group.close()));
      sender.close();
    }
  }
} finally {
  server.kill("SIGTERM");
  await server.status;
}
Deno.exit(0);
