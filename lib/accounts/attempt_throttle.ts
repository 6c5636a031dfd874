/**
 * Progressive throttling of failed attempts (sign-ins), keyed by string, with an injectable
 * clock.
 *
 * Each key has `free` failures; past them, the next attempt must wait a delay that doubles with
 * each further failure, from `firstDelayMs` up to `maxDelayMs`. A hard lockout would let anyone
 * who knows a username lock its owner out; a doubling delay slows guessing just as well.
 *
 * Attempts are *reserved* before the slow work (bcrypt) and settled after it. Counting only
 * after the work let 60 concurrent guesses all pass a check made before any of them had failed.
 * A reservation counts as a failure until it is settled, so concurrent attempts see each other.
 * Failures are forgotten `windowMs` after the last one.
 */

export interface AttemptThrottleOptions {
  /** Failures allowed before delays start; 0 disables the throttle. */
  free: number;
  firstDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
  now?: () => number;
}

interface Record {
  /** Failures plus reservations not yet settled. */
  count: number;
  /** When the latest failure or reservation happened. */
  lastAt: number;
}

/** Sweep forgotten keys once the map holds this many, so memory stays bounded. */
const SWEEP_THRESHOLD = 10_000;

export class AttemptThrottle {
  readonly #options: Required<AttemptThrottleOptions>;
  #records = new Map<string, Record>();

  constructor(options: AttemptThrottleOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** Milliseconds until `key` may try again; 0 if it may try now. Counts nothing. */
  retryAfterMs(key: string): number {
    const record = this.#current(key);
    if (this.#options.free === 0 || !record || record.count < this.#options.free) return 0;
    const over = record.count - this.#options.free;
    const delay = Math.min(
      this.#options.maxDelayMs,
      this.#options.firstDelayMs * 2 ** Math.min(over, 30),
    );
    return Math.max(0, record.lastAt + delay - this.#options.now());
  }

  /** Counts an attempt that is about to be made (as a failure until `succeeded`). */
  reserve(key: string): void {
    if (this.#options.free === 0) return;
    const now = this.#options.now();
    const record = this.#current(key);
    if (record) {
      record.count++;
      record.lastAt = now;
      return;
    }
    if (this.#records.size >= SWEEP_THRESHOLD) this.#sweep();
    this.#records.set(key, { count: 1, lastAt: now });
  }

  /** The reserved attempt succeeded: the key's failures are forgotten. */
  succeeded(key: string): void {
    this.#records.delete(key);
  }

  /** The reserved attempt succeeded but says nothing of the key's other failures (an address). */
  release(key: string): void {
    const record = this.#current(key);
    if (!record) return;
    record.count--;
    if (record.count <= 0) this.#records.delete(key);
  }

  #current(key: string): Record | undefined {
    const record = this.#records.get(key);
    if (record && record.lastAt + this.#options.windowMs <= this.#options.now()) {
      this.#records.delete(key);
      return undefined;
    }
    return record;
  }

  #sweep(): void {
    for (const key of [...this.#records.keys()]) this.#current(key);
  }
}
