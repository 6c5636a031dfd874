import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../lib/config.ts";

Deno.test("loadConfig - defaults for a local run", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.kvPath, "./data/salon.kv");
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.origin, undefined);
  assert.equal(config.bcryptCost, 10);
  assert.deepEqual(config.rateLimits, {
    message: 50,
    login: 10,
    register: 20,
    read: 5000,
    search: 30,
    perAddress: true,
  });
  assert.equal(config.production, false);
});

Deno.test("loadConfig - reads every variable", () => {
  const config = loadConfig({
    PORT: "9001",
    HOST: "127.0.0.1",
    ORIGIN: "https://chat.example.com/",
    KV_PATH: "/tmp/x.kv",
    DATABASE_URL: "postgres://u@h/db",
    JWT_SECRET: "s".repeat(32),
    BCRYPT_COST: "4",
    MESSAGE_RATE_LIMIT: "0",
    LOGIN_RATE_LIMIT: "7",
    REGISTER_RATE_LIMIT: "3",
    READ_RATE_LIMIT: "900",
    SEARCH_RATE_LIMIT: "12",
  });
  assert.equal(config.port, 9001);
  assert.equal(config.origin, "https://chat.example.com");
  assert.equal(config.databaseUrl, "postgres://u@h/db");
  assert.equal(config.bcryptCost, 4);
  assert.deepEqual(config.rateLimits, {
    message: 0,
    login: 7,
    register: 3,
    read: 900,
    search: 12,
    perAddress: true,
  });
});

Deno.test("loadConfig - RATE_LIMITS=off turns every limit off", () => {
  const config = loadConfig({ RATE_LIMITS: "off", LOGIN_RATE_LIMIT: "5" });
  assert.deepEqual(config.rateLimits, {
    message: 0,
    login: 0,
    register: 0,
    read: 0,
    search: 0,
    perAddress: false,
  });
});

Deno.test("loadConfig - Deno Deploy opens the platform KV (no path) and shares events through it", () => {
  const config = loadConfig({ DENO_DEPLOYMENT_ID: "abc" });
  assert.equal(config.kvPath, undefined);
  assert.equal(config.bus, "kv");
  assert.equal(loadConfig({}).bus, "local");
  assert.equal(loadConfig({ DATABASE_URL: "postgres://h/db" }).bus, "postgres");
  assert.equal(loadConfig({ BUS: "kv" }).bus, "kv");
});

Deno.test("loadConfig - bad values name the variable, the rule and the value", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: "abc" }, /PORT.*integer from 0 to 65535.*"abc"/],
    [{ PORT: "70000" }, /PORT/],
    [{ BCRYPT_COST: "3" }, /BCRYPT_COST.*from 4 to 31/],
    [{ LOGIN_RATE_LIMIT: "-1" }, /LOGIN_RATE_LIMIT/],
    [{ ORIGIN: "not a url" }, /ORIGIN/],
    [{ ORIGIN: "http://x.example/path" }, /ORIGIN.*without a path/],
    [{ ORIGIN: "ftp://x.example" }, /ORIGIN/],
    [{ DATABASE_URL: "mysql://u:secret@h/db" }, /DATABASE_URL.*postgres:\/\//],
    [{ JWT_SECRET: "short" }, /JWT_SECRET.*at least 32/],
    [{ RATE_LIMITS: "on" }, /RATE_LIMITS/],
    [{ DENO_ENV: "production" }, /JWT_SECRET is required/],
    [{ BUS: "rabbit" }, /BUS.*local, kv, postgres, redis or nats/],
    [{ BUS: "postgres" }, /BUS=postgres needs DATABASE_URL/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (error: Error) => {
      assert.ok(error instanceof ConfigError, JSON.stringify(env));
      assert.match(error.message, message);
      return true;
    });
  }
  assert.throws(
    () => loadConfig({ DATABASE_URL: "mysql://u:secret@h/db" }),
    (error: Error) => !error.message.includes("secret"),
  );
});

Deno.test("main.ts - refuses to start on a bad value, with the message", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts"],
    env: { PORT: "nope", SALON_SKIP_BUILD: "1" },
    cwd: new URL("../", import.meta.url),
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 1);
  assert.match(new TextDecoder().decode(stderr), /Salon cannot start: Invalid PORT/);
});

Deno.test("loadConfig - TRUST_PROXY lists proxy addresses; anything else is refused", () => {
  assert.deepEqual(loadConfig({}).trustProxy, []);
  assert.deepEqual(loadConfig({ TRUST_PROXY: "10.0.0.1, ::1" }).trustProxy, ["10.0.0.1", "::1"]);
  for (const bad of ["1", "true", "10.0.0.256", "proxy.example"]) {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), ConfigError, bad);
  }
});
