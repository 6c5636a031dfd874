/**
 * The open-loop fan-out step shared by the load generators (bench/load.ts and
 * bench/bus_fanout_clients.ts): message k of a step is due at `start + k / rate`, it carries
 * that intended time, and latency is receipt time minus intended time, so a stalled server
 * cannot hide its delay. Every delivery is checked for loss, doubling and order.
 *
 * Receivers may sit in this thread or in Workers (bench/fanout_receivers.ts): a message's due
 * time is wall-clock milliseconds (`performance.timeOrigin + performance.now()`, the same clock
 * in every thread and process; `performance.now()` alone counts from each one's own start).
 */

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = (): number => performance.timeOrigin + performance.now();

/** A step's deliveries are waited for until none has come for this long (then: lost). */
export const DELIVERY_SILENCE_MS = 2000;
/**
 * A capacity step (the highest rate a target carries when latency is not the bound) passes if
 * every delivery came, once and in order, with a p99 within this.
 */
export const CAPACITY_P99_MS = 1000;
/** Sockets opened at once. */
export const CONNECT_BATCH = 50;

const DenoWebSocket = WebSocket as unknown as new (
  url: string,
  options?: { headers: Record<string, string> },
) => WebSocket;

/**
 * Opens a socket to `base`'s /ws. With a cookie it is a Salon client: it resumes at once
 * (nothing to replay, as Salon's own clients do, so live messages flow from `ready` on) and
 * resolves at `ready`; without one (a bare relay) it resolves when open.
 */
export function openSocket(base: string, cookie?: string): Promise<WebSocket> {
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

/** `make(0 … count-1)`, `size` at a time. */
export async function inBatches<T>(
  count: number,
  size: number,
  make: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size) {
    const batch = Math.min(size, count - i);
    out.push(...await Promise.all(Array.from({ length: batch }, (_, j) => make(i + j))));
  }
  return out;
}

/**
 * The content of a `message` event, found without parsing the whole event: at hundreds of
 * thousands of deliveries a second, JSON.parse made the generator the bottleneck. The bench's
 * contents are digits, dots and colons and no other field holds `"content":"`, so the next
 * quote ends it.
 */
export function salonContent(data: string): string | null {
  if (!data.startsWith('{"type":"message"')) return null;
  const start = data.indexOf('"content":"');
  if (start < 0) return null;
  return data.slice(start + 11, data.indexOf('"', start + 11));
}

/** The `p` quantile (0…1) of ascending `sorted`; 0 when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** What some receivers saw of one step. */
export interface StepReceipts {
  /** Receipt minus due time of every delivery of the step, in ms. */
  latencies: Float64Array;
  /** Distinct (receiver, message) pairs. */
  received: number;
  duplicates: number;
  outOfOrder: number;
  /** Receivers the server had closed by the end of the step. */
  closed: number;
}

/** Receivers, here or in a Worker, that count one step's deliveries at a time. */
export interface ReceiverGroup {
  /** How many receivers. */
  readonly size: number;
  /** Counts step `stepIndex`'s deliveries from now on (resolves once it does). */
  begin(stepIndex: number): Promise<void>;
  /**
   * Once all `total` messages are sent: resolves when every receiver has all of them, or
   * when none has come for DELIVERY_SILENCE_MS.
   */
  finish(total: number): Promise<StepReceipts>;
  close(): Promise<void>;
}

/** Receivers on sockets of this thread. */
export function localReceivers(
  sockets: WebSocket[],
  contentOf: (data: string) => string | null = salonContent,
): ReceiverGroup {
  let latencies = new Float64Array(1024);
  let count = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let seen: Set<number>[] = [];
  // Order is checked per sender: two senders' messages may interleave either way.
  let last: Map<number, number>[] = [];
  return {
    size: sockets.length,
    begin(stepIndex) {
      count = duplicates = outOfOrder = 0;
      seen = sockets.map(() => new Set<number>());
      last = sockets.map(() => new Map<number, number>());
      sockets.forEach((socket, r) => {
        socket.onmessage = (event) => {
          const content = contentOf(String(event.data));
          if (!content) return;
          const [step, k, due, from] = content.split(":").map(Number);
          if (step !== stepIndex) return;
          if (count === latencies.length) {
            const grown = new Float64Array(latencies.length * 2);
            grown.set(latencies);
            latencies = grown;
          }
          latencies[count++] = now() - due;
          if (seen[r].has(k)) duplicates++;
          seen[r].add(k);
          const before = last[r].get(from) ?? -1;
          if (k < before) outOfOrder++;
          else last[r].set(from, k);
        };
      });
      return Promise.resolve();
    },
    async finish(total) {
      const expected = total * sockets.length;
      let lastCount = -1;
      let lastProgress = now();
      while (count < expected && now() - lastProgress < DELIVERY_SILENCE_MS) {
        if (count !== lastCount) [lastCount, lastProgress] = [count, now()];
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return {
        latencies: latencies.slice(0, count),
        received: seen.reduce((sum, set) => sum + set.size, 0),
        duplicates,
        outOfOrder,
        closed: sockets.filter((socket) => socket.readyState >= WebSocket.CLOSING).length,
      };
    },
    close() {
      for (const socket of sockets) socket.close();
      return Promise.resolve();
    },
  };
}

/** Sends one bench message: `text` as its content, `nonce` as its nonce. */
export type SendFn = (socket: WebSocket, text: string, nonce: string) => void;

/** One step's figures. */
export interface PacedStepResult {
  rate: number;
  /** Messages sent in the step. */
  messages: number;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Sockets (receivers and senders) the server had closed by the end of the step. */
  closed: number;
}

/** What a step runs on. */
export interface PacedFanout {
  stepSeconds: number;
  senders: WebSocket[];
  send: SendFn;
  groups: ReceiverGroup[];
  /** The nonce of message k of a step (unique per run where the store keeps nonces). */
  nonce?: (stepIndex: number, k: number) => string;
  /** Leave out the phase lines on stdout (a script that prints its own report). */
  quiet?: boolean;
}

/**
 * Returns `run(stepIndex, rate, label?)`: one open-loop step over `fanout`. It prints
 * `{"phase":"step"}` before the first send and `{"phase":"stepEnd"}` after the last delivery
 * (the benches read the server's CPU or the database's counters between the two).
 */
export function pacedStepRunner(fanout: PacedFanout) {
  const { stepSeconds, senders, send, groups } = fanout;
  const nonce = fanout.nonce ?? ((stepIndex, k) => `s${stepIndex}-${k}`);
  const receivers = groups.reduce((sum, group) => sum + group.size, 0);
  return async (stepIndex: number, rate: number, label?: string): Promise<PacedStepResult> => {
    const total = Math.max(1, Math.round(rate * stepSeconds));
    await Promise.all(groups.map((group) => group.begin(stepIndex)));
    const start = now() + 50;
    if (!fanout.quiet) console.log(JSON.stringify({ phase: "step", stepIndex, rate, label }));
    let k = 0;
    while (k < total) {
      const wait = start + (k / rate) * 1000 - now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      // Catch up on everything already due: the schedule never waits for the server.
      while (k < total && start + (k / rate) * 1000 <= now() + 0.5) {
        const dueAt = start + (k / rate) * 1000;
        const from = k % senders.length;
        send(senders[from], `${stepIndex}:${k}:${dueAt}:${from}`, nonce(stepIndex, k));
        k++;
      }
    }
    const parts = await Promise.all(groups.map((group) => group.finish(total)));
    if (!fanout.quiet) console.log(JSON.stringify({ phase: "stepEnd", stepIndex }));
    const sorted = new Float64Array(parts.reduce((sum, part) => sum + part.latencies.length, 0));
    let offset = 0;
    for (const part of parts) {
      sorted.set(part.latencies, offset);
      offset += part.latencies.length;
    }
    sorted.sort();
    const received = parts.reduce((sum, part) => sum + part.received, 0);
    return {
      rate,
      messages: total,
      messagesPerSecond: total / stepSeconds,
      deliveriesPerSecond: received / stepSeconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
      lost: total * receivers - received,
      duplicates: parts.reduce((sum, part) => sum + part.duplicates, 0),
      outOfOrder: parts.reduce((sum, part) => sum + part.outOfOrder, 0),
      closed: parts.reduce((sum, part) => sum + part.closed, 0) +
        senders.filter((socket) => socket.readyState >= WebSocket.CLOSING).length,
    };
  };
}
