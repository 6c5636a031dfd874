import assert from "node:assert/strict";
import { RateLimiter } from "../lib/rate_limiter.ts";

Deno.test("RateLimiter - blocks at the limit until the window ends", () => {
  let now = 1_000;
  const limiter = new RateLimiter({ limit: 2, windowMs: 60_000, now: () => now });
  assert.equal(limiter.retryAfterMs("a"), 0);
  limiter.hit("a");
  limiter.hit("a");
  assert.equal(limiter.retryAfterMs("a"), 60_000);
  assert.equal(limiter.retryAfterMs("b"), 0, "keys are independent");
  now += 59_999;
  assert.equal(limiter.retryAfterMs("a"), 1);
  now += 1;
  assert.equal(limiter.retryAfterMs("a"), 0);
});

Deno.test("RateLimiter - reset clears a key; limit 0 never blocks", () => {
  const limiter = new RateLimiter({ limit: 1, windowMs: 1000, now: () => 0 });
  limiter.hit("a");
  assert.ok(limiter.retryAfterMs("a") > 0);
  limiter.reset("a");
  assert.equal(limiter.retryAfterMs("a"), 0);
  const off = new RateLimiter({ limit: 0, windowMs: 1000 });
  for (let i = 0; i < 100; i++) off.hit("a");
  assert.equal(off.retryAfterMs("a"), 0);
});
