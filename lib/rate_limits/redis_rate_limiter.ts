/**
 * Rate limits counted in Redis, so that every instance of a deployment shares them: N instances
 * allow what one allows (BUS=redis).
 *
 * Each check that counts is one Lua script, atomic in Redis: a fixed window is INCRBY on a key
 * that expires with its window (PEXPIRE, Redis's clock, so instances whose clocks differ agree);
 * the sign-in throttles keep `count` and `last` in a hash that expires `windowMs` after the last
 * failure, all the throttles of one attempt checked and reserved in one step.
 *
 * Keys are `<prefix>rl:<limit>:<key>`; the prefix (per deployment) keeps deployments that share
 * one Redis apart.
 *
 * Redis away: the window rules say whether to fail open (counted nowhere, warned about) or
 * closed (503 `unavailable`); the sign-in throttles always fail closed. Commands never queue
 * while the connection is down (they fail at once) and time out after RATE_LIMIT_REDIS_TIMEOUT_MS,
 * so an outage is a quick answer, never a hung request.
 */
import { Redis } from "ioredis";
import { StoreUnavailable } from "../../db/unavailable.ts";
import { RATE_LIMIT_REDIS_TIMEOUT_MS, RATE_LIMIT_WARNING_INTERVAL_MS } from "../limits.ts";
import type {
  AttemptThrottles,
  RateLimitBackend,
  ThrottleRule,
  WindowLimit,
  WindowRule,
} from "./rate_limits.ts";

/** The shared rate limits cannot be read: answered like a store that is away (503). */
export class RateLimitsUnavailable extends StoreUnavailable {
  constructor(cause: unknown) {
    super(cause);
    this.name = "RateLimitsUnavailable";
    this.message = "The rate limits (Redis) are unavailable for a moment; try again.";
  }
}

/**
 * KEYS[1]; ARGV: limit, windowMs, count, check. With check "1", a key at its limit resolves its
 * window's remaining milliseconds and counts nothing; otherwise `count` is added (0: a pure
 * check) and 0 resolved.
 */
const WINDOW_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
if ARGV[4] == '1' then
  local n = tonumber(redis.call('GET', KEYS[1])) or 0
  if n >= limit then
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then return ttl end
    redis.call('PEXPIRE', KEYS[1], window)
    return window
  end
end
if count > 0 then
  redis.call('INCRBY', KEYS[1], count)
  if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], window) end
end
return 0
`;

/**
 * KEYS: one per throttle; ARGV: free, firstDelayMs, maxDelayMs, windowMs for each. The delay
 * rule of attempt_throttle.ts, on Redis's clock: either every key is reserved (0) or none is and
 * the longest wait is returned.
 */
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local free = tonumber(ARGV[i * 4 - 3])
  if free > 0 then
    local r = redis.call('HMGET', key, 'c', 'l')
    local c = tonumber(r[1]) or 0
    if c >= free then
      local over = math.min(c - free, 30)
      local delay = math.min(tonumber(ARGV[i * 4 - 1]), tonumber(ARGV[i * 4 - 2]) * 2 ^ over)
      local w = (tonumber(r[2]) or 0) + delay - now
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  if tonumber(ARGV[i * 4 - 3]) > 0 then
    redis.call('HINCRBY', key, 'c', 1)
    redis.call('HSET', key, 'l', now)
    redis.call('PEXPIRE', key, tonumber(ARGV[i * 4]))
  end
end
return 0
`;

/** KEYS[1]: one reservation fewer; the hash goes with its last one. */
const RELEASE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[1], 'c', -1) <= 0 then redis.call('DEL', KEYS[1]) end
return 0
`;

interface Scripts {
  rlWindow(key: string, ...args: (string | number)[]): Promise<number>;
  rlReserve(keyCount: number, ...keysAndArgs: (string | number)[]): Promise<number>;
  rlRelease(key: string): Promise<number>;
}

export interface RedisRateLimitOptions {
  url: string;
  /** Prepended to every key: one per deployment sharing the Redis (tests: one per test). */
  prefix: string;
}

export class RedisRateLimits implements RateLimitBackend {
  readonly #redis: Redis & Scripts;
  readonly #prefix: string;
  /** Counts being written without anyone waiting (settled attempts), awaited by `close`. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #warnedAt = -Infinity;

  private constructor(redis: Redis, prefix: string) {
    this.#redis = redis as Redis & Scripts;
    this.#prefix = prefix;
    redis.defineCommand("rlWindow", { numberOfKeys: 1, lua: WINDOW_SCRIPT });
    redis.defineCommand("rlReserve", { lua: RESERVE_SCRIPT });
    redis.defineCommand("rlRelease", { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    // Without a listener ioredis prints every reconnection failure; one warning now and then.
    redis.on("error", (error) => this.warn("connection", error));
  }

  /** Connects (a Redis that cannot be reached at start-up fails the start, like the store). */
  static async connect({ url, prefix }: RedisRateLimitOptions): Promise<RedisRateLimits> {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: RATE_LIMIT_REDIS_TIMEOUT_MS,
      connectTimeout: RATE_LIMIT_REDIS_TIMEOUT_MS * 4,
      connectionName: "salon-rate-limits",
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
    const limits = new RedisRateLimits(redis, prefix);
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new Error(`Redis for the rate limits cannot be reached at ${redactedUrl(url)}`, {
        cause: error,
      });
    }
    return limits;
  }

  window(rule: WindowRule): WindowLimit {
    const keyOf = (key: string) => `${this.#prefix}rl:${rule.name}:${key}`;
    const run = async (key: string, count: number, check: boolean): Promise<number> => {
      if (rule.limit === 0) return 0;
      try {
        return await this.#redis.rlWindow(
          keyOf(key),
          rule.limit,
          rule.windowMs,
          count,
          check ? "1" : "0",
        );
      } catch (error) {
        if (!rule.failOpen) throw new RateLimitsUnavailable(error);
        this.warn(`${rule.name} (not enforced)`, error);
        return 0;
      }
    };
    return {
      limit: rule.limit,
      retryAfterMs: (key) => run(key, 0, true),
      take: (key, count = 1) => run(key, count, true),
      hit: async (key, count = 1) => {
        if (count > 0) await this.#track(run(key, count, false));
      },
      reset: (key) => this.#settle(rule.name, this.#redis.del(keyOf(key))),
    };
  }

  throttles(rules: readonly ThrottleRule[]): AttemptThrottles {
    const keyOf = (index: number, key: string) => `${this.#prefix}rl:${rules[index].name}:${key}`;
    const args = rules.flatMap((rule) => [
      rule.free,
      rule.firstDelayMs,
      rule.maxDelayMs,
      rule.windowMs,
    ]);
    return {
      reserve: async (keys) => {
        if (rules.every((rule) => rule.free === 0)) return 0;
        try {
          const redisKeys = keys.map((key, i) => keyOf(i, key));
          return await this.#redis.rlReserve(keys.length, ...redisKeys, ...args);
        } catch (error) {
          throw new RateLimitsUnavailable(error);
        }
      },
      forget: (index, key) => this.#settle(rules[index].name, this.#redis.del(keyOf(index, key))),
      release: (index, key) =>
        this.#settle(rules[index].name, this.#redis.rlRelease(keyOf(index, key))),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    try {
      await this.#redis.quit();
    } catch {
      // Already gone (an outage): nothing is left to flush.
      this.#redis.disconnect();
    }
  }

  /**
   * A count lowered or dropped after the fact: nobody waits on it, so a failure is a warning
   * (the key expires with its window anyway).
   */
  #settle(name: string, command: Promise<unknown>): Promise<void> {
    return this.#track(command.then(() => {}, (error) => this.warn(name, error)));
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const done = () => this.#inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Logs at most one warning per RATE_LIMIT_WARNING_INTERVAL_MS: an outage is not a flood. */
  warn(what: string, error: unknown): void {
    const now = Date.now();
    if (now - this.#warnedAt < RATE_LIMIT_WARNING_INTERVAL_MS) return;
    this.#warnedAt = now;
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(`Rate limits in Redis unavailable (${what}): ${reason}`);
  }
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
