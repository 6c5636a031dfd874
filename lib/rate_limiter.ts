/**
 * Fixed-window counters keyed by string (an account, an IP), with an injectable clock.
 *
 * Counts live in this process's memory: with several instances each enforces its own window,
 * which bounds an attacker to `limit × instances`, acceptable for login and registration.
 */

export interface RateLimiterOptions {
  /** Events allowed per window; 0 disables the limiter. */
  limit: number;
  windowMs: number;
  now?: () => number;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Sweep expired windows once the map holds this many keys, so memory stays bounded. */
const SWEEP_THRESHOLD = 10_000;

export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  #now: () => number;
  #windows = new Map<string, Window>();

  constructor({ limit, windowMs, now = Date.now }: RateLimiterOptions) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#now = now;
  }

  /** Milliseconds until `key` may act again; 0 if it may act now. */
  retryAfterMs(key: string): number {
    if (this.limit === 0) return 0;
    const window = this.#current(key);
    return window && window.count >= this.limit ? window.resetAt - this.#now() : 0;
  }

  /** Counts `count` events (one by default) for `key`. */
  hit(key: string, count = 1): void {
    if (this.limit === 0 || count <= 0) return;
    const window = this.#current(key);
    if (window) {
      window.count += count;
      return;
    }
    if (this.#windows.size >= SWEEP_THRESHOLD) this.#sweep();
    this.#windows.set(key, { count, resetAt: this.#now() + this.windowMs });
  }

  /** Forgets `key`'s count (a successful login clears its failures). */
  reset(key: string): void {
    this.#windows.delete(key);
  }

  #current(key: string): Window | undefined {
    const window = this.#windows.get(key);
    if (window && window.resetAt <= this.#now()) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, window] of this.#windows) {
      if (window.resetAt <= now) this.#windows.delete(key);
    }
  }
}
