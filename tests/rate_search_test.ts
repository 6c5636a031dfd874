/**
 * The fan-out search of `deno task bench` (bench/rate_search.ts), against a simulated server
 * that passes every step up to a capacity: which rates it tries, and what it finds.
 */
import assert from "node:assert/strict";
import { searchRates, stepPasses } from "../bench/rate_search.ts";
import type { RateSearch } from "../bench/rate_search.ts";

/** Runs `search` against a server that passes at `capacity` messages/s or below. */
async function against(capacity: number, search: RateSearch) {
  let failures = 0;
  const steps = await searchRates(
    search,
    (_index, rate) => Promise.resolve({ ok: rate <= capacity }),
    (step) => step.ok,
    () => Promise.resolve(void failures++),
  );
  const judged = steps.filter((step) => !step.warmUp && !step.half);
  const best = Math.max(0, ...judged.filter((step) => step.ok).map((step) => step.rate));
  return { rates: steps.map((step) => step.rate), steps, best, failures };
}

Deno.test("rate search: doubles until a step fails, then bisects", async () => {
  const { rates, best, failures } = await against(700, {
    startRate: 100,
    factor: 2,
    maxSteps: 8,
    refine: 2,
  });
  assert.deepEqual(rates, [100, 200, 400, 800, 600, 700]);
  assert.equal(best, 700);
  assert.equal(failures, 1);
});

Deno.test("rate search: from a start that fails, lowers the rate until one passes", async () => {
  const { rates, best } = await against(500, {
    startRate: 1000,
    factor: 1.25,
    maxSteps: 6,
    refine: 0,
  });
  assert.deepEqual(rates, [1000, 800, 640, 512, 410]);
  assert.equal(best, 410);
});

Deno.test("rate search: a warm-up step comes first and a half step last, both flagged", async () => {
  const { steps, best } = await against(1100, {
    warmUpRate: 250,
    startRate: 1000,
    factor: 1.25,
    maxSteps: 6,
    refine: 0,
    halfStep: true,
  });
  assert.deepEqual(steps.map((step) => [step.rate, !!step.warmUp, !!step.half]), [
    [250, true, false],
    [1000, false, false],
    [1250, false, false],
    [500, false, true],
  ]);
  assert.equal(best, 1000);
});

Deno.test("rate search: stops after maxSteps, with no half step when nothing passed", async () => {
  const { rates, best } = await against(0, {
    startRate: 100,
    factor: 2,
    maxSteps: 3,
    refine: 4,
    halfStep: true,
  });
  assert.deepEqual(rates, [100, 50, 25]);
  assert.equal(best, 0);
});

Deno.test("rate search: bisection ends when the rates meet", async () => {
  const { rates } = await against(10, { startRate: 10, factor: 2, maxSteps: 8, refine: 10 });
  // 10 passes, 20 fails, then halves of the gap until the next one would repeat 11.
  assert.deepEqual(rates, [10, 20, 15, 13, 12, 11]);
});

Deno.test("rate search: a step passes with p99 up to 50 ms and nothing lost, doubled or reordered", () => {
  const clean = { p99: 50, lost: 0, duplicates: 0, outOfOrder: 0 };
  assert.equal(stepPasses(clean), true);
  assert.equal(stepPasses({ ...clean, p99: 50.1 }), false);
  assert.equal(stepPasses({ ...clean, lost: 1 }), false);
  assert.equal(stepPasses({ ...clean, duplicates: 1 }), false);
  assert.equal(stepPasses({ ...clean, outOfOrder: 1 }), false);
});
