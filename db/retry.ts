/**
 * The one retry loop of the stores and the KV bus: optimistic commits that lose a race, and
 * writes that meet SQLite's lock on a local KV file, try again a few times after a short,
 * jittered pause instead of failing a user's request.
 */

/** What a try returns to ask for another one without an error (it lost a race). */
export const TRY_AGAIN: unique symbol = Symbol("try again");

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** Whether a thrown error is worth another try; others go up at once. Default: none is. */
  isRetryable?: (error: unknown) => boolean;
  /**
   * The longest pause before a try, in ms: the pause is random (so that competing writers do
   * not retry in step) below min(maxBackOffMs, 2^attempt). 0: try again at once.
   */
  maxBackOffMs: number;
  /** The error thrown when the last try asked for another one (TRY_AGAIN). */
  exhausted?: () => Error;
}

/** A random pause below min(maxMs, 2^attempt) ms. */
export function backOff(attempt: number, maxMs: number): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(resolve, Math.random() * Math.min(maxMs, 2 ** attempt))
  );
}

/**
 * Runs `attempt(0)`, `attempt(1)`… until one returns a value, throws an error that is not
 * retryable, or `attempts` tries have been made: then the last retryable error is thrown as it
 * is, or `exhausted()` if the last try returned TRY_AGAIN.
 */
export async function retry<T>(
  attempt: (index: number) => Promise<T | typeof TRY_AGAIN>,
  options: RetryOptions,
): Promise<T> {
  const isRetryable = options.isRetryable ?? (() => false);
  for (let index = 0;; index++) {
    const last = index >= options.attempts - 1;
    let outcome: T | typeof TRY_AGAIN;
    try {
      outcome = await attempt(index);
    } catch (error) {
      if (last || !isRetryable(error)) throw error;
      outcome = TRY_AGAIN;
    }
    if (outcome !== TRY_AGAIN) return outcome;
    if (last) throw options.exhausted?.() ?? new Error(`${options.attempts} tries lost a race`);
    if (options.maxBackOffMs > 0) await backOff(index, options.maxBackOffMs);
  }
}
