/**
 * The fan-out search: which rates a load generator tries, one step after another, to find the
 * highest rate that passes.
 *
 * An optional warm-up step first (not judged); then from `startRate` the rate is multiplied by
 * `factor` while steps pass, or divided by it while they fail, for at most `maxSteps` steps;
 * then `refine` bisections between the best passing and the lowest failing rate; then, if
 * asked, one step at half the best passing rate.
 */
export interface RateSearch {
  /** Messages per second of a first, unjudged step that warms the server up (none if absent). */
  warmUpRate?: number;
  /** Messages per second of the first judged step. */
  startRate: number;
  factor: number;
  /** Steps at most while raising (or lowering) the rate. */
  maxSteps: number;
  /** Bisection steps between the best passing and the lowest failing rate. */
  refine: number;
  /** Then one step at half the best passing rate (the p99 target's "half the maximum rate"). */
  halfStep?: boolean;
}

/** The p99 a step may reach and still pass (issue 4's latency bound). */
export const P99_LIMIT_MS = 50;

/** A step passes if its p99 is within P99_LIMIT_MS and nothing was lost, doubled or reordered. */
export function stepPasses(
  step: { p99: number; lost: number; duplicates: number; outOfOrder: number },
): boolean {
  return step.p99 <= P99_LIMIT_MS && step.lost === 0 && step.duplicates === 0 &&
    step.outOfOrder === 0;
}

export type SearchStep<T> = T & { rate: number; warmUp?: boolean; half?: boolean };

/**
 * Runs the steps of `search` in order: `run(index, rate)` measures one step, `passes` judges it,
 * `afterFailure` runs after a failed step (to let the server drain). Returns every step.
 */
export async function searchRates<T>(
  search: RateSearch,
  run: (index: number, rate: number) => Promise<T>,
  passes: (step: T) => boolean,
  afterFailure: () => Promise<void> = async () => {},
): Promise<SearchStep<T>[]> {
  const steps: SearchStep<T>[] = [];
  const step = async (rate: number, flags: { warmUp?: boolean; half?: boolean } = {}) => {
    const result = await run(steps.length, rate);
    steps.push({ ...result, rate, ...flags });
    return result;
  };
  if (search.warmUpRate) await step(search.warmUpRate, { warmUp: true });
  let good = 0;
  let bad = Infinity;
  let rate = search.startRate;
  for (let moves = 0, refined = 0;;) {
    const result = await step(rate);
    if (passes(result)) {
      good = Math.max(good, rate);
    } else {
      bad = Math.min(bad, rate);
      await afterFailure();
    }
    if (good === 0 || bad === Infinity) {
      if (++moves >= search.maxSteps) break;
      rate = Math.max(1, Math.round(good === 0 ? rate / search.factor : rate * search.factor));
    } else {
      rate = Math.round((good + bad) / 2);
      if (refined++ >= search.refine || rate === good || rate === bad) break;
    }
  }
  if (search.halfStep && good > 0) await step(Math.floor(good / 2), { half: true });
  return steps;
}
