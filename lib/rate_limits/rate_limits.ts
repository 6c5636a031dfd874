/**
 * The rate limits the services build, behind one interface with two implementations: this
 * process's memory (one instance, or instances that each count alone) and Redis (every instance
 * counts in the same place, so N instances allow what one allows: redis_rate_limiter.ts).
 *
 * The checks are asynchronous because Redis is a round trip away; the memory implementation
 * answers at once. A check that also counts (`take`, `reserve`) is one atomic step in both, so
 * concurrent requests, on one instance or several, cannot all pass a check made before any of
 * them was counted.
 */
import { AttemptThrottle } from "../accounts/attempt_throttle.ts";
import { RateLimiter } from "../rate_limiter.ts";

/** A fixed window: `limit` events per `windowMs` per key (0: off). */
export interface WindowRule {
  /** Names the limit in shared storage (Redis keys): unique per limit. */
  name: string;
  limit: number;
  windowMs: number;
  /**
   * With shared storage unreachable: true lets the event through (with a logged warning), false
   * refuses it with 503 `unavailable`. Limits against guessing and account farming fail closed;
   * those that only keep one user from hogging the server fail open.
   */
  failOpen: boolean;
}

export interface WindowLimit {
  readonly limit: number;
  /** Milliseconds until `key` may act again; 0 if it may act now. Counts nothing. */
  retryAfterMs(key: string): Promise<number>;
  /** Counts `count` events if `key` may act now (resolving 0); else counts nothing and resolves the wait. */
  take(key: string, count?: number): Promise<number>;
  /** Counts `count` events (one by default), whatever the count was. */
  hit(key: string, count?: number): Promise<void>;
  /** Forgets `key`'s count. */
  reset(key: string): Promise<void>;
}

/** Progressive throttling of failed attempts (see attempt_throttle.ts); `free` 0 is off. */
export interface ThrottleRule {
  name: string;
  free: number;
  firstDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

/**
 * Several throttles over one attempt (sign-in: per pair, per account, per address), reserved
 * together. Always fails closed: they stand between a guesser and the passwords.
 */
export interface AttemptThrottles {
  /**
   * Reserves an attempt of `keys[i]` on throttle i for every i if none of them must wait
   * (resolving 0); else reserves nothing and resolves the longest wait in milliseconds.
   */
  reserve(keys: readonly string[]): Promise<number>;
  /** The attempt succeeded: `key`'s failures on throttle `index` are forgotten. */
  forget(index: number, key: string): Promise<void>;
  /** The reserved attempt no longer counts (succeeded for a shared key, or never made). */
  release(index: number, key: string): Promise<void>;
}

/** Where the counts live. */
export interface RateLimitBackend {
  window(rule: WindowRule): WindowLimit;
  throttles(rules: readonly ThrottleRule[]): AttemptThrottles;
  /** Waits for counts still being written, then lets go of the connection (if any). */
  close(): Promise<void>;
}

/** Counts in this process's memory, on the given clock (tests inject one). */
export function memoryRateLimits(now: () => number = Date.now): RateLimitBackend {
  return {
    window: (rule) => new MemoryWindow(new RateLimiter({ ...rule, now })),
    throttles: (rules) =>
      new MemoryThrottles(rules.map((rule) => new AttemptThrottle({ ...rule, now }))),
    close: () => Promise.resolve(),
  };
}

class MemoryWindow implements WindowLimit {
  constructor(readonly limiter: RateLimiter) {}

  get limit(): number {
    return this.limiter.limit;
  }

  retryAfterMs(key: string): Promise<number> {
    return Promise.resolve(this.limiter.retryAfterMs(key));
  }

  take(key: string, count = 1): Promise<number> {
    const wait = this.limiter.retryAfterMs(key);
    if (wait === 0) this.limiter.hit(key, count);
    return Promise.resolve(wait);
  }

  hit(key: string, count = 1): Promise<void> {
    this.limiter.hit(key, count);
    return Promise.resolve();
  }

  reset(key: string): Promise<void> {
    this.limiter.reset(key);
    return Promise.resolve();
  }
}

class MemoryThrottles implements AttemptThrottles {
  constructor(readonly throttles: AttemptThrottle[]) {}

  reserve(keys: readonly string[]): Promise<number> {
    const wait = Math.max(0, ...keys.map((key, i) => this.throttles[i].retryAfterMs(key)));
    if (wait === 0) keys.forEach((key, i) => this.throttles[i].reserve(key));
    return Promise.resolve(wait);
  }

  forget(index: number, key: string): Promise<void> {
    this.throttles[index].succeeded(key);
    return Promise.resolve();
  }

  release(index: number, key: string): Promise<void> {
    this.throttles[index].release(key);
    return Promise.resolve();
  }
}
