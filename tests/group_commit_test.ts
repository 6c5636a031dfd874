import assert from "node:assert/strict";
import { GroupCommit } from "../db/group_commit.ts";
import type { Settled } from "../db/group_commit.ts";

/** A commit whose batches finish when the test says so; it records what each batch carried. */
function controlledCommit() {
  const batches: string[][] = [];
  const finishers: (() => void)[] = [];
  const commit = (inputs: string[]) => {
    batches.push(inputs);
    return new Promise<Settled<string>[]>((resolve) =>
      finishers.push(() => resolve(inputs.map((input) => ({ ok: true, value: `${input}!` }))))
    );
  };
  /** Finishes the oldest batch still in flight and lets its callbacks run. */
  const finishOldest = async () => {
    finishers.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { batches, commit, finishOldest };
}

Deno.test("GroupCommit - while a batch is in flight, the next waits for minBatchWhileBusy inputs", async () => {
  const { batches, commit, finishOldest } = controlledCommit();
  const queue = new GroupCommit(commit, {
    maxBatch: 10,
    maxInFlight: 2,
    minBatchWhileBusy: 3,
    keyOf: (input: string) => input,
  });
  const results = [queue.submit("a")];
  assert.deepEqual(batches, [["a"]], "nothing in flight: the first goes at once");
  results.push(queue.submit("b"), queue.submit("c"));
  assert.deepEqual(batches, [["a"]], "two are too few to start a second batch");
  results.push(queue.submit("d"));
  assert.deepEqual(batches, [["a"], ["b", "c", "d"]], "three start the second batch");
  results.push(queue.submit("e"));
  await finishOldest();
  assert.deepEqual(batches.length, 2, "one still in flight: e keeps waiting");
  await finishOldest();
  assert.deepEqual(batches, [["a"], ["b", "c", "d"], ["e"]], "nothing in flight: e goes");
  await finishOldest();
  assert.deepEqual(await Promise.all(results), ["a!", "b!", "c!", "d!", "e!"]);
});

Deno.test("GroupCommit - inputs of one key are never in two batches in flight, and keep their order", async () => {
  const { batches, commit, finishOldest } = controlledCommit();
  const queue = new GroupCommit(commit, {
    maxBatch: 10,
    maxInFlight: 2,
    keyOf: (input: string) => input[0],
  });
  const results = ["x1", "x2", "y1", "x3", "y2"].map((input) => queue.submit(input));
  // x2 waits for x1's batch; y1 takes the second slot; x3 and y2 find none free.
  assert.deepEqual(batches, [["x1"], ["y1"]]);
  await finishOldest();
  // x1 done: x2 and x3 go together; y2 still waits for y1.
  assert.deepEqual(batches, [["x1"], ["y1"], ["x2", "x3"]]);
  await finishOldest();
  assert.deepEqual(batches.at(-1), ["y2"]);
  await finishOldest();
  await finishOldest();
  assert.deepEqual(await Promise.all(results), ["x1!", "x2!", "y1!", "x3!", "y2!"]);
});
