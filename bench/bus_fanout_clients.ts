/**
 * The load generator of bench/bus_fanout.ts, in its own process: receivers and senders spread
 * over several instances (receiver i on instance i mod n), one busy channel, open-loop paced
 * sends as in bench/load.ts (message k due at `start + k / rate`, latency from that time to
 * each receipt), a rate search for the highest rate whose p99 stays within 50 ms.
 *
 * argv[0]: a JSON file with the scenario (1,000 cookies do not fit in one argument). stdout:
 * `{"phase":"step"}` and `{"phase":"stepEnd"}` lines around each step (the bench reads the
 * database's counters there), then `{"result":{steps}}`.
 */
import { searchRates, stepPasses } from "./rate_search.ts";
import type { RateSearch } from "./rate_search.ts";

export interface BusFanoutScenario {
  search: RateSearch;
  /** "salon": the app's `send` frames; "raw": the relays pass any text on as it is. */
  target: "salon" | "raw";
  bases: string[];
  /** Receivers' cookies then senders' (salon); ignored by the raw relays. */
  cookies: string[];
  channelId: string;
  receivers: number;
  senders: number;
  stepSeconds: number;
}

const scenario = JSON.parse(await Deno.readTextFile(Deno.args[0])) as BusFanoutScenario;
const now = () => performance.timeOrigin + performance.now();
const DenoWebSocket = WebSocket as unknown as new (
  url: string,
  options?: { headers: Record<string, string> },
) => WebSocket;

/** A step's deliveries are waited for until none has come for this long (then: lost). */
const DELIVERY_SILENCE_MS = 2000;
/** Sockets opened at once (as bench/load.ts). */
const CONNECT_BATCH = 50;

function open(base: string, cookie?: string): Promise<WebSocket> {
  const url = `${base.replace(/^http/, "ws")}/ws`;
  const socket = new DenoWebSocket(url, cookie ? { headers: { Cookie: cookie } } : undefined);
  return new Promise((resolve, reject) => {
    if (!cookie) {
      socket.onopen = () => resolve(socket);
    } else {
      socket.onopen = () => socket.send('{"type":"resume","channels":{}}');
      socket.onmessage = (event) => {
        if (String(event.data).includes('"type":"ready"')) resolve(socket);
      };
    }
    socket.onerror = () => reject(new Error(`socket to ${base} failed`));
  });
}

async function inBatches<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const size = Math.min(CONNECT_BATCH, count - i);
    out.push(...await Promise.all(Array.from({ length: size }, (_, j) => make(i + j))));
  }
  return out;
}

/** A `message` event's content, found without parsing the event (as bench/load.ts). */
function contentOf(data: string): string | null {
  if (!data.startsWith('{"type":"message"')) return null;
  const start = data.indexOf('"content":"');
  if (start < 0) return null;
  return data.slice(start + 11, data.indexOf('"', start + 11));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const s = scenario;
const salon = s.target === "salon";
const baseOf = (i: number) => s.bases[i % s.bases.length];
const receivers = await inBatches(
  s.receivers,
  (i) => open(baseOf(i), salon ? s.cookies[i] : undefined),
);
const senders = await inBatches(
  s.senders,
  (i) => open(baseOf(i), salon ? s.cookies[s.receivers + i] : undefined),
);

/**
 * Nonces of this run: a sender's nonce makes a resent message idempotent, so the same nonces
 * in a later run on the same database would only fetch that run's messages (nothing new).
 */
const run = crypto.randomUUID().slice(0, 8);
/** The raw relays carry the frame Salon would deliver, of the same shape and size. */
const author = crypto.randomUUID();
let rawSeq = 0;
const send = salon
  ? (socket: WebSocket, text: string, nonce: string) =>
    socket.send(JSON.stringify({ type: "send", channelId: s.channelId, content: text, nonce }))
  : (socket: WebSocket, text: string, nonce: string) =>
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

async function runStep(stepIndex: number, rate: number) {
  const total = Math.max(1, Math.round(rate * s.stepSeconds));
  const latencies: number[] = [];
  let duplicates = 0;
  let outOfOrder = 0;
  const seen = receivers.map(() => new Set<number>());
  const last = receivers.map(() => new Map<number, number>());
  receivers.forEach((socket, r) => {
    socket.onmessage = (event) => {
      const content = contentOf(String(event.data));
      if (!content) return;
      const [step, k, due, from] = content.split(":").map(Number);
      if (step !== stepIndex) return;
      latencies.push(now() - due);
      if (seen[r].has(k)) duplicates++;
      seen[r].add(k);
      if (k < (last[r].get(from) ?? -1)) outOfOrder++;
      last[r].set(from, Math.max(last[r].get(from) ?? -1, k));
    };
  });
  const start = now() + 50;
  console.log(JSON.stringify({ phase: "step", stepIndex, rate }));
  let k = 0;
  while (k < total) {
    const wait = start + (k / rate) * 1000 - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (k < total && start + (k / rate) * 1000 <= now() + 0.5) {
      const dueAt = start + (k / rate) * 1000;
      const from = k % senders.length;
      send(senders[from], `${stepIndex}:${k}:${dueAt}:${from}`, `${run}-${stepIndex}-${k}`);
      k++;
    }
  }
  const expected = total * receivers.length;
  let lastCount = -1;
  let lastProgress = now();
  while (latencies.length < expected && now() - lastProgress < DELIVERY_SILENCE_MS) {
    if (latencies.length !== lastCount) [lastCount, lastProgress] = [latencies.length, now()];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  console.log(JSON.stringify({ phase: "stepEnd", stepIndex }));
  const sorted = latencies.sort((a, b) => a - b);
  const received = seen.reduce((sum, set) => sum + set.size, 0);
  return {
    messages: total,
    deliveriesPerSecond: received / s.stepSeconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
    lost: expected - received,
    duplicates,
    outOfOrder,
  };
}

const steps = await searchRates(
  s.search,
  runStep,
  stepPasses,
  () => new Promise((resolve) => setTimeout(resolve, 1000)),
);
for (const socket of [...receivers, ...senders]) socket.close();
console.log(JSON.stringify({ result: { steps } }));
Deno.exit(0);
