/**
 * The load generator of bench/bus_fanout.ts, in its own process: receivers and senders spread
 * over several instances (receiver i on instance i mod n), one busy channel, open-loop paced
 * sends (bench/paced_fanout.ts, as bench/load.ts), and three measurements per target:
 *
 * - floor: one step at FLOOR_RATE, a message's burst of deliveries at a time (nothing queues):
 *   the latency of delivering one message to every receiver;
 * - search: the highest rate whose p99 stays within 50 ms (issue 19's figure);
 * - capacity: the highest rate still delivered whole and in order with p99 within
 *   CAPACITY_P99_MS (what the target carries when latency is not the bound).
 *
 * The receivers sit in `receiverWorkers` Workers (bench/fanout_receivers.ts), the senders and
 * the pacing in the main thread.
 *
 * argv[0]: a JSON file with the scenario (1,000 cookies do not fit in one argument). stdout:
 * `{"phase":"step"}` and `{"phase":"stepEnd"}` lines around each step (the bench reads the
 * database's counters there), then `{"result":{floor, steps, capacitySteps}}`.
 */
import { searchRates, stepPasses } from "./rate_search.ts";
import type { RateSearch } from "./rate_search.ts";
import {
  CAPACITY_P99_MS,
  CONNECT_BATCH,
  inBatches,
  localReceivers,
  openSocket,
  pacedStepRunner,
} from "./paced_fanout.ts";
import type { PacedStepResult, ReceiverGroup, SendFn } from "./paced_fanout.ts";
import { workerReceivers } from "./fanout_receivers.ts";

export interface BusFanoutScenario {
  search: RateSearch;
  /** The capacity search (skipped if absent). */
  capacity?: RateSearch;
  /** Messages per second of the floor step (skipped if absent). */
  floorRate?: number;
  /** "salon": the app's `send` frames; "raw": the relays pass any text on as it is. */
  target: "salon" | "raw";
  bases: string[];
  /** Receivers' cookies then senders' (salon); ignored by the raw relays. */
  cookies: string[];
  channelId: string;
  receivers: number;
  senders: number;
  stepSeconds: number;
  /** Workers reading the receivers' sockets (0: this process's main thread reads them all). */
  receiverWorkers: number;
}

export type BusStep = PacedStepResult & { stepIndex: number; warmUp?: boolean };

const s = JSON.parse(await Deno.readTextFile(Deno.args[0])) as BusFanoutScenario;
const salon = s.target === "salon";
const baseOf = (i: number) => s.bases[i % s.bases.length];
const cookieOf = (i: number) => (salon ? s.cookies[i] : undefined);

const specs = Array.from(
  { length: s.receivers },
  (_, i) => ({ base: baseOf(i), cookie: cookieOf(i) }),
);
const groups: ReceiverGroup[] = s.receiverWorkers > 0
  ? await workerReceivers(specs, s.receiverWorkers)
  : [
    localReceivers(
      await inBatches(
        specs.length,
        CONNECT_BATCH,
        (i) => openSocket(specs[i].base, specs[i].cookie),
      ),
    ),
  ];
const senders = await inBatches(
  s.senders,
  CONNECT_BATCH,
  (i) => openSocket(baseOf(i), cookieOf(s.receivers + i)),
);

/**
 * Nonces of this run: a sender's nonce makes a resent message idempotent, so the same nonces
 * in a later run on the same database would only fetch that run's messages (nothing new).
 */
const run = crypto.randomUUID().slice(0, 8);
/** The raw relays carry the frame Salon would deliver, of the same shape and size. */
const author = crypto.randomUUID();
let rawSeq = 0;
const send: SendFn = salon
  ? (socket, text, nonce) =>
    socket.send(JSON.stringify({ type: "send", channelId: s.channelId, content: text, nonce }))
  : (socket, text, nonce) =>
    socket.send(JSON.stringify({
      type: "message",
      message: {
        id: crypto.randomUUID(),
        channelId: s.channelId,
        seq: ++rawSeq,
        author: {
          id: author,
          username: `b${author.slice(0, 8)}10`,
          displayName: `b${author.slice(0, 8)}10`,
          avatarUrl: `/api/users/${author}/avatar`,
        },
        content: text,
        createdAt: new Date().toISOString(),
        editedAt: null,
        nonce,
      },
    }));

const runner = pacedStepRunner({
  stepSeconds: s.stepSeconds,
  senders,
  send,
  groups,
  nonce: (stepIndex, k) => `${run}-${stepIndex}-${k}`,
});
// One index across the three measurements: the phase lines and the contents stay apart.
let stepIndex = 0;
const step = async (_: number, rate: number): Promise<BusStep> => {
  const index = stepIndex++;
  return { ...await runner(index, rate), stepIndex: index };
};
/** Let the servers drain what a failed step left queued. */
const drain = () => new Promise<void>((resolve) => setTimeout(resolve, 1000));

// First a step at the floor's rate that counts for nothing: an instance's first send reads what
// it then keeps (its channel row), and the floor's few messages (4 at 2 msg/s for 2 s) would
// count those one-time reads per message (0.50 "bus reads" per message on every bus).
if (s.floorRate) await step(0, s.floorRate);
const floor = s.floorRate ? await step(0, s.floorRate) : undefined;
const steps = await searchRates(s.search, step, stepPasses, drain);
const capacitySteps = s.capacity
  ? await searchRates(
    s.capacity,
    step,
    (result) =>
      stepPasses({ ...result, p99: result.p99 <= CAPACITY_P99_MS ? 0 : Infinity }) &&
      result.closed === 0,
    drain,
  )
  : [];
await Promise.all(groups.map((group) => group.close()));
for (const socket of senders) socket.close();
console.log(JSON.stringify({ result: { floor, steps, capacitySteps } }));
Deno.exit(0);
