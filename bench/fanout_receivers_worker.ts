/**
 * A Worker holding some of a fan-out bench's receivers (bench/fanout_receivers.ts): one thread
 * of its own reads its sockets, so one generator thread no longer reads every delivery.
 *
 * In: `{ open: { base, cookie? }[] }`, then `{ begin: stepIndex }`, `{ finish: total }`,
 * `{ close: true }`. Out: `{ opened }`, `{ begun }`, `{ receipts }` (latencies transferred),
 * `{ closed }`, or `{ error }`.
 */
/// <reference lib="deno.worker" />
import { CONNECT_BATCH, inBatches, localReceivers, openSocket } from "./paced_fanout.ts";
import type { ReceiverGroup } from "./paced_fanout.ts";

let group: ReceiverGroup | undefined;

self.onmessage = async (event: MessageEvent) => {
  const data = event.data;
  try {
    if (data.open) {
      const specs = data.open as { base: string; cookie?: string }[];
      const sockets = await inBatches(
        specs.length,
        CONNECT_BATCH,
        (i) => openSocket(specs[i].base, specs[i].cookie),
      );
      group = localReceivers(sockets);
      self.postMessage({ opened: sockets.length });
    } else if (data.begin !== undefined) {
      await group!.begin(data.begin);
      self.postMessage({ begun: data.begin });
    } else if (data.finish !== undefined) {
      const receipts = await group!.finish(data.finish);
      self.postMessage({ receipts }, [receipts.latencies.buffer]);
    } else if (data.close) {
      await group?.close();
      self.postMessage({ closed: true });
    }
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
