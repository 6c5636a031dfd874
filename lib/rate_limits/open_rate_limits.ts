/**
 * The rate-limit backend a configuration asks for: Redis when the instances share a Redis
 * (BUS=redis, REDIS_URL), so N instances allow what one allows; otherwise each process counts
 * in its own memory (with PostgreSQL, KV or NATS as the bus, N instances allow up to N times
 * as much: acceptable, the limits are there against floods, not as quotas).
 */
import type { Config } from "../config.ts";
import { memoryRateLimits } from "./rate_limits.ts";
import type { RateLimitBackend } from "./rate_limits.ts";
import { RedisRateLimits } from "./redis_rate_limiter.ts";

/** `prefix`: the deployment's (BUS_PREFIX); keys are `<prefix>:rl:…`. */
export async function openRateLimits(config: Config, prefix: string): Promise<RateLimitBackend> {
  if (config.bus !== "redis") return memoryRateLimits();
  if (config.redisUrl === undefined) throw new Error("BUS=redis needs REDIS_URL");
  return await RedisRateLimits.connect({ url: config.redisUrl, prefix: `${prefix}:` });
}
