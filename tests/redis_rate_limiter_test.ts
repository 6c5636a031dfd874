/**
 * Rate limits counted in Redis (BUS=redis), against the real Redis at 127.0.0.1:6379 (each test
 * on a key prefix of its own) and, for outages, a redis-server this file starts and stops.
 */
import assert from "node:assert/strict";
import { RateLimitsUnavailable, RedisRateLimits } from "../lib/rate_limits/redis_rate_limiter.ts";
import type { RateLimitBackend, ThrottleRule, WindowRule } from "../lib/rate_limits/rate_limits.ts";
import { isStoreUnavailable } from "../db/unavailable.ts";
import { KV_BACKEND } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register, room } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { within } from "./helpers/wait.ts";

const REDIS_URL = "redis://127.0.0.1:6379";

function prefix(): string {
  return `test-${crypto.randomUUID()}`;
}

/** `count` backends on one Redis and prefix: as many instances of one deployment. */
async function instances(count: number, url = REDIS_URL): Promise<RedisRateLimits[]> {
  const shared = `${prefix()}:`;
  return await Promise.all(
    Array.from({ length: count }, () => RedisRateLimits.connect({ url, prefix: shared })),
  );
}

async function closeAll(backends: RateLimitBackend[]): Promise<void> {
  await Promise.all(backends.map((backend) => backend.close()));
}

const WINDOW: WindowRule = { name: "w", limit: 3, windowMs: 60_000, failOpen: false };
const THROTTLE: ThrottleRule = {
  name: "t",
  free: 2,
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  windowMs: 60_000,
};

Deno.test("RedisRateLimits - a window blocks at its limit, keys apart, reset, limit 0 off", async () => {
  const [limits] = await instances(1);
  try {
    const window = limits.window(WINDOW);
    assert.equal(await window.retryAfterMs("a"), 0);
    for (let i = 0; i < 3; i++) assert.equal(await window.take("a"), 0, `take ${i + 1}`);
    const wait = await window.take("a");
    assert.ok(wait > 0 && wait <= 60_000, `waits ${wait} ms`);
    assert.ok((await window.retryAfterMs("a")) > 0);
    assert.equal(await window.take("b"), 0, "keys are independent");
    await window.reset("a");
    assert.equal(await window.take("a"), 0, "reset forgets the count");
    // hit counts past the limit (a page of many messages read); the next check refuses.
    await window.hit("c", 10);
    assert.ok((await window.retryAfterMs("c")) > 0);
    const off = limits.window({ ...WINDOW, name: "off", limit: 0 });
    for (let i = 0; i < 10; i++) assert.equal(await off.take("a"), 0);
  } finally {
    await limits.close();
  }
});

Deno.test("RedisRateLimits - two instances share one window: together what one allows", async () => {
  const backends = await instances(2);
  try {
    const [a, b] = backends.map((backend) => backend.window({ ...WINDOW, limit: 10 }));
    // Concurrent takes from both instances: exactly the limit gets through.
    const waits = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).take("user")),
    );
    assert.equal(waits.filter((wait) => wait === 0).length, 10, String(waits));
  } finally {
    await closeAll(backends);
  }
});

Deno.test("RedisRateLimits - throttles reserve all keys or none, delays after the free ones", async () => {
  const backends = await instances(2);
  try {
    const rules = [THROTTLE, { ...THROTTLE, name: "t2", free: 5 }];
    const [a, b] = backends.map((backend) => backend.throttles(rules));
    assert.equal(await a.reserve(["pair", "account"]), 0);
    assert.equal(await b.reserve(["pair", "account"]), 0);
    const wait = await a.reserve(["pair", "account"]);
    assert.ok(wait > 0 && wait <= 1_000, `first delay: ${wait} ms`);
    // Refused as a whole: the second throttle counted nothing (5 free, 2 used, 3 left).
    for (let i = 0; i < 3; i++) assert.equal(await b.reserve([`other${i}`, "account"]), 0);
    assert.ok(
      (await b.reserve(["another", "account"])) > 0,
      "the shared key's free ones are spent",
    );
    // A success forgets the pair; a release gives one reservation back.
    await a.forget(0, "pair");
    await b.release(1, "account");
    assert.equal(await a.reserve(["pair", "account"]), 0);
  } finally {
    await closeAll(backends);
  }
});

Deno.test("RedisRateLimits - concurrent attempts on two instances cannot slip past the free ones", async () => {
  const backends = await instances(2);
  try {
    const [a, b] = backends.map((backend) => backend.throttles([{ ...THROTTLE, free: 5 }]));
    const waits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).reserve(["target"])),
    );
    assert.equal(waits.filter((wait) => wait === 0).length, 5, String(waits));
  } finally {
    await closeAll(backends);
  }
});

/** A redis-server of this test's own, to be stopped: a real outage. */
async function ownRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `redis://127.0.0.1:${port}`;
  await within(
    (async () => {
      while (true) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    })(),
    "redis-server to listen",
    10_000,
  );
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      child.kill("SIGKILL");
      await child.status;
    })();
    return stopped;
  };
  return { url, stop };
}

Deno.test("RedisRateLimits - Redis away: closed limits answer 503, open ones let through, no hang", async () => {
  const redis = await ownRedis();
  try {
    const [limits] = await instances(1, redis.url);
    try {
      const closed = limits.window(WINDOW);
      const open = limits.window({ ...WINDOW, name: "open", failOpen: true });
      const throttles = limits.throttles([THROTTLE]);
      assert.equal(await closed.take("a"), 0, "works while Redis is up");
      await redis.stop();
      await assert.rejects(
        within(closed.take("a"), "a closed limit's answer"),
        (error) => error instanceof RateLimitsUnavailable && isStoreUnavailable(error),
      );
      await assert.rejects(
        within(throttles.reserve(["a"]), "a throttle's answer"),
        RateLimitsUnavailable,
      );
      for (let i = 0; i < 5; i++) {
        assert.equal(await within(open.take("a"), "an open limit's answer"), 0);
      }
      // Settling a count with Redis away is a warning, not an error.
      await within(throttles.release(0, "a"), "a release");
    } finally {
      await limits.close();
    }
  } finally {
    await redis.stop();
  }
});

Deno.test("RedisRateLimits - a Redis that cannot be reached at start-up fails the start", async () => {
  const redis = await ownRedis();
  await redis.stop();
  await assert.rejects(
    RedisRateLimits.connect({ url: redis.url, prefix: "x:" }),
    /Redis for the rate limits cannot be reached/,
  );
});

/** Two instances of the app over one store and one Redis (BUS=redis). */
async function twoInstances(env: Record<string, string>): Promise<[TestApp, TestApp]> {
  const app = await startTestApp(KV_BACKEND, {
    BUS: "redis",
    REDIS_URL,
    BUS_PREFIX: prefix(),
    ...env,
  });
  try {
    return [app, await app.startAnother()];
  } catch (error) {
    await app.close();
    throw error;
  }
}

async function status(response: Promise<Response>): Promise<number> {
  const answer = await response;
  await answer.body?.cancel();
  return answer.status;
}

Deno.test("BUS=redis - two app instances allow together what one allows (registrations)", async () => {
  const [a, b] = await twoInstances({ REGISTER_RATE_LIMIT: "3" });
  try {
    const registration = (app: TestApp, n: number) =>
      status(
        new HttpClient(app.url).request("POST", "/api/auth/register", {
          json: { username: `person${n}`, password: "correct horse" },
        }),
      );
    // One address (127.0.0.1) registers through both instances in turn.
    const answers = [];
    for (let n = 0; n < 6; n++) answers.push(await registration(n % 2 === 0 ? a : b, n));
    assert.deepEqual(answers, [201, 201, 201, 429, 429, 429]);
  } finally {
    await a.close();
  }
});

Deno.test("BUS=redis - two app instances allow together what one allows (logins, messages)", async () => {
  const [a, b] = await twoInstances({ LOGIN_RATE_LIMIT: "2", MESSAGE_RATE_LIMIT: "4" });
  try {
    await register(a, "target");
    const guess = (app: TestApp) =>
      status(
        new HttpClient(app.url).request("POST", "/api/auth/login", {
          json: { username: "target", password: "wrong password" },
        }),
      );
    // Two free failures for the (account, address) pair, wherever they were made.
    assert.deepEqual([await guess(a), await guess(b), await guess(a), await guess(b)], [
      401,
      401,
      429,
      429,
    ]);

    const { owner, channelId } = await room(a);
    const onB = new HttpClient(b.url);
    onB.cookie = owner.http.cookie;
    const send = (client: HttpClient, n: number) =>
      status(client.request("POST", `/api/channels/${channelId}/messages`, {
        json: { content: `message ${n}` },
      }));
    const sent = [];
    for (let n = 0; n < 6; n++) sent.push(await send(n % 2 === 0 ? owner.http : onB, n));
    assert.deepEqual(sent, [201, 201, 201, 201, 429, 429]);
  } finally {
    await a.close();
  }
});

Deno.test("BUS=redis - Redis away: a login is 503 unavailable (fails closed), never a hang", async () => {
  const redis = await ownRedis();
  try {
    const app = await startTestApp(KV_BACKEND, {
      BUS: "redis",
      REDIS_URL: redis.url,
      BUS_PREFIX: prefix(),
    });
    try {
      await register(app, "target");
      await redis.stop();
      const { status, body } = await within(
        new HttpClient(app.url).json<{ error: { code: string } }>("POST", "/api/auth/login", {
          json: { username: "target", password: "correct horse" },
        }),
        "the login's answer",
      );
      assert.equal(status, 503);
      assert.equal(body.error.code, "unavailable");
    } finally {
      await app.close();
    }
  } finally {
    await redis.stop();
  }
});
