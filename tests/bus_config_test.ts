/** BUS=redis|nats and their settings: read from the environment, or a clear start-up error. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../lib/config.ts";

Deno.test("bus config - redis and nats with their URLs and a prefix", () => {
  const redis = loadConfig({ BUS: "redis", REDIS_URL: "redis://127.0.0.1:6379" });
  assert.equal(redis.bus, "redis");
  assert.equal(redis.redisUrl, "redis://127.0.0.1:6379");
  assert.equal(redis.busPrefix, "salon");
  const nats = loadConfig({
    BUS: "nats",
    NATS_URL: "nats://a:4222,nats://b:4222",
    BUS_PREFIX: "p1",
  });
  assert.equal(nats.bus, "nats");
  assert.equal(nats.natsUrl, "nats://a:4222,nats://b:4222");
  assert.equal(nats.busPrefix, "p1");
});

Deno.test("bus config - a missing or bad setting is a start-up error that says what to set", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ BUS: "redis" }, /BUS=redis needs REDIS_URL/],
    [{ BUS: "nats" }, /BUS=nats needs NATS_URL/],
    [{ BUS: "rabbit" }, /BUS.*local, kv, postgres, redis or nats.*rabbit/],
    [{ BUS: "redis", REDIS_URL: "http://x" }, /Invalid REDIS_URL/],
    [{ BUS: "redis", REDIS_URL: "redis://u:secret@x", BUS_PREFIX: "a.b" }, /Invalid BUS_PREFIX/],
    [{ REDIS_URL: "ftp://u:secret@x" }, /Invalid REDIS_URL: got "ftp:\/\/u:\*\*\*@x"/],
    [{ NATS_URL: "http://x" }, /Invalid NATS_URL/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (error: Error) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, message);
      assert.ok(!error.message.includes("secret"), "no password in the message");
      return true;
    });
  }
});
