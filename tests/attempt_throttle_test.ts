import assert from "node:assert/strict";
import { AttemptThrottle } from "../lib/accounts/attempt_throttle.ts";
import { resolveClientIp } from "../routes/client_ip.ts";

function throttle(free = 2) {
  let now = 0;
  const limiter = new AttemptThrottle({
    free,
    firstDelayMs: 1000,
    maxDelayMs: 8000,
    windowMs: 60_000,
    now: () => now,
  });
  return { limiter, advance: (ms: number) => now += ms };
}

Deno.test("AttemptThrottle - reservations count at once, so concurrent attempts see each other", () => {
  const { limiter } = throttle();
  limiter.reserve("k");
  limiter.reserve("k");
  assert.equal(limiter.retryAfterMs("k"), 1000);
});

Deno.test("AttemptThrottle - the delay doubles past the free failures, up to the cap", () => {
  const { limiter, advance } = throttle();
  limiter.reserve("k");
  limiter.reserve("k");
  const waits = [];
  for (let i = 0; i < 5; i++) {
    const wait = limiter.retryAfterMs("k");
    waits.push(wait);
    advance(wait);
    limiter.reserve("k");
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000]);
});

Deno.test("AttemptThrottle - success forgets, release returns one reservation", () => {
  const { limiter } = throttle();
  limiter.reserve("k");
  limiter.reserve("k");
  limiter.release("k");
  assert.equal(limiter.retryAfterMs("k"), 0);
  limiter.reserve("k");
  limiter.succeeded("k");
  limiter.reserve("k");
  assert.equal(limiter.retryAfterMs("k"), 0);
});

Deno.test("AttemptThrottle - failures are forgotten a window after the last one", () => {
  const { limiter, advance } = throttle();
  limiter.reserve("k");
  limiter.reserve("k");
  advance(60_000);
  assert.equal(limiter.retryAfterMs("k"), 0);
});

Deno.test("AttemptThrottle - free 0 is off", () => {
  const { limiter } = throttle(0);
  for (let i = 0; i < 10; i++) limiter.reserve("k");
  assert.equal(limiter.retryAfterMs("k"), 0);
});

Deno.test("resolveClientIp - believes X-Forwarded-For only through listed proxies", () => {
  const proxies = new Set(["10.0.0.9", "10.0.0.8"]);
  assert.equal(resolveClientIp("1.2.3.4", "5.5.5.5", proxies), "1.2.3.4", "not from a proxy");
  assert.equal(resolveClientIp("10.0.0.9", "1.1.1.1, 2.2.2.2", proxies), "2.2.2.2");
  assert.equal(resolveClientIp("10.0.0.9", "1.1.1.1, 10.0.0.8", proxies), "1.1.1.1", "two hops");
  assert.equal(resolveClientIp("10.0.0.9", undefined, proxies), "10.0.0.9");
  assert.equal(resolveClientIp("10.0.0.9", "5.5.5.5", new Set()), "10.0.0.9", "none trusted");
});
