/**
 * Receivers spread over Workers (bench/fanout_receivers_worker.ts), each a thread with its own
 * event loop reading its share of the sockets: a generator whose one thread read all 1,000
 * receivers added that thread's queue to every latency.
 */
import type { ReceiverGroup, StepReceipts } from "./paced_fanout.ts";

/** A socket to open: Salon's (with a cookie) or a bare relay's. */
export interface ReceiverSpec {
  base: string;
  cookie?: string;
}

/** One Worker's receivers, driven by messages. */
function workerGroup(specs: ReceiverSpec[]): { group: ReceiverGroup; opened: Promise<void> } {
  const worker = new Worker(new URL("./fanout_receivers_worker.ts", import.meta.url), {
    type: "module",
  });
  // The Worker answers each request in order, so a queue of resolvers matches the answers.
  const waiting: {
    resolve: (data: Record<string, unknown>) => void;
    reject: (e: Error) => void;
  }[] = [];
  worker.onmessage = (event: MessageEvent) => {
    const next = waiting.shift();
    if (!next) return;
    if (event.data.error) next.reject(new Error(`fan-out receiver worker: ${event.data.error}`));
    else next.resolve(event.data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const next of waiting.splice(0)) next.reject(new Error(event.message));
  };
  const ask = (message: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.push({ resolve, reject });
      worker.postMessage(message);
    });
  const opened = ask({ open: specs }).then(() => {});
  return {
    opened,
    group: {
      size: specs.length,
      async begin(stepIndex) {
        await ask({ begin: stepIndex });
      },
      async finish(total) {
        return (await ask({ finish: total })).receipts as StepReceipts;
      },
      async close() {
        await ask({ close: true });
        worker.terminate();
      },
    },
  };
}

/**
 * Opens `specs` over `workers` Workers (receiver i in Worker i mod workers) and resolves once
 * every socket is open (past `ready` for Salon's).
 */
export async function workerReceivers(
  specs: ReceiverSpec[],
  workers: number,
): Promise<ReceiverGroup[]> {
  const shares = Array.from(
    { length: workers },
    (_, w) => specs.filter((_, i) => i % workers === w),
  ).filter((share) => share.length > 0);
  // One Worker connects at a time: opening 1,000 sockets at once would be a burst of its own.
  const groups: ReceiverGroup[] = [];
  for (const share of shares) {
    const { group, opened } = workerGroup(share);
    await opened;
    groups.push(group);
  }
  return groups;
}
