/**
 * Two-factor authentication (API.md "Accounts": /api/me/totp) through the real app on both
 * stores. Codes are made with otpauth from the secret the app returns, as a phone would.
 *
 * Each test uses at most two TOTP steps, the current one and the next, computed once at its
 * start: both stay within the server's one step of drift even if a 30 s boundary passes
 * during the test.
 */
import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import { readSecurityLog } from "../lib/accounts/security_log.ts";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import type { TestApp } from "./helpers/test_app.ts";

const PASSWORD = "tall giraffe umbrella 42";
const PERIOD_MS = 30_000;
const LOG = await Deno.makeTempFile({ prefix: "salon-two-factor-", suffix: ".log" });
globalThis.addEventListener("unload", () => Deno.removeSync(LOG));

interface ErrorBody {
  error: { code: string; message: string };
}

interface Enrolled {
  client: HttpClient;
  secret: string;
  recoveryCodes: string[];
  /** The code of the step after the one that confirmed: good for one sign-in. */
  nextCode: string;
  /** The code that confirmed the enrolment (already used). */
  confirmCode: string;
}

function codeAt(secret: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp });
}

/** A six-digit code that is none of the secret's codes near now. */
function wrongCode(secret: string): string {
  const now = Date.now();
  const near = new Set([-2, -1, 0, 1, 2].map((i) => codeAt(secret, now + i * PERIOD_MS)));
  let code = Number(codeAt(secret, now));
  while (near.has(String(code).padStart(6, "0"))) code = (code + 1) % 1_000_000;
  return String(code).padStart(6, "0");
}

async function register(app: TestApp, username = "alice"): Promise<HttpClient> {
  const client = new HttpClient(app.url);
  const response = await client.request("POST", "/api/auth/register", {
    json: { username, password: PASSWORD },
  });
  assert.equal(response.status, 201, await response.text());
  return client;
}

/** Registers `username` and turns two-factor on, confirming with the current step's code. */
async function enrol(app: TestApp, username = "alice"): Promise<Enrolled> {
  const client = await register(app, username);
  const started = await client.json<{ secret: string }>("POST", "/api/me/totp");
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const { secret } = started.body;
  const now = Date.now();
  const confirmCode = codeAt(secret, now);
  const confirmed = await client.json<{ recoveryCodes: string[] }>(
    "POST",
    "/api/me/totp/confirm",
    { json: { code: confirmCode } },
  );
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  const nextCode = codeAt(secret, now + PERIOD_MS);
  return { client, secret, recoveryCodes: confirmed.body.recoveryCodes, nextCode, confirmCode };
}

function login(app: TestApp, body: Record<string, unknown>, headers?: Record<string, string>) {
  return new HttpClient(app.url).json<ErrorBody>("POST", "/api/auth/login", {
    json: { username: "alice", password: PASSWORD, ...body },
    headers,
  });
}

function assertError(
  answer: { status: number; body: ErrorBody },
  status: number,
  code: string,
): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.error.code, code);
  assert.ok(answer.body.error.message.length > 0);
}

appTest(
  "POST /api/me/totp - a secret and its otpauth URL, not active until confirmed",
  async (app) => {
    const client = await register(app);
    const { status, body } = await client.json<{ secret: string; otpauthUrl: string }>(
      "POST",
      "/api/me/totp",
    );
    assert.equal(status, 200);
    assert.match(body.secret, /^[A-Z2-7]{32}$/);
    const url = new URL(body.otpauthUrl);
    assert.equal(url.protocol, "otpauth:");
    assert.equal(url.searchParams.get("secret"), body.secret);
    assert.equal(url.searchParams.get("issuer"), "Salon");
    assert.match(decodeURIComponent(url.pathname), /Salon:alice$/);
    assert.equal((await login(app, {})).status, 200, "no code needed before confirmation");
  },
);

appTest(
  "POST /api/me/totp/confirm - refuses a wrong code, accepts the current one",
  async (app) => {
    const client = await register(app);
    const noEnrolment = await client.json<ErrorBody>("POST", "/api/me/totp/confirm", {
      json: { code: "123456" },
    });
    assertError(noEnrolment, 409, "totp_not_pending");
    const { body: { secret } } = await client.json<{ secret: string }>("POST", "/api/me/totp");
    const wrong = await client.json<ErrorBody>("POST", "/api/me/totp/confirm", {
      json: { code: wrongCode(secret) },
    });
    assertError(wrong, 400, "invalid_code");
    const missing = await client.json<ErrorBody>("POST", "/api/me/totp/confirm", { json: {} });
    assertError(missing, 400, "invalid_code");
    assert.equal((await login(app, {})).status, 200, "still off after wrong codes");

    const right = await client.json<{ recoveryCodes: string[] }>("POST", "/api/me/totp/confirm", {
      json: { code: codeAt(secret, Date.now()) },
    });
    assert.equal(right.status, 200);
    assert.equal(right.body.recoveryCodes.length, 10);
    assert.equal(new Set(right.body.recoveryCodes).size, 10);
    const again = await client.json<ErrorBody>("POST", "/api/me/totp", {});
    assertError(again, 409, "totp_already_enabled");
  },
);

appTest(
  "login with two-factor on - needs the code, refuses a wrong one, then signs in",
  async (app) => {
    const { nextCode, secret } = await enrol(app);
    assertError(await login(app, {}), 401, "totp_required");
    assertError(await login(app, { code: wrongCode(secret) }), 401, "invalid_code");
    assertError(
      await login(app, { password: "wrong password", code: nextCode }),
      401,
      "invalid_credentials",
    );
    const ok = await login(app, { code: nextCode });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok((ok.body as unknown as { token: string }).token);
  },
);

appTest(
  "login with two-factor on - a code works once, the confirming one not at all",
  async (app) => {
    const { nextCode, confirmCode } = await enrol(app);
    assertError(await login(app, { code: confirmCode }), 401, "invalid_code");
    assert.equal((await login(app, { code: nextCode })).status, 200);
    assertError(await login(app, { code: nextCode }), 401, "invalid_code");
  },
);

appTest(
  "login with two-factor on - a code used on one instance is refused on another",
  async (app) => {
    const { nextCode } = await enrol(app);
    const other = await app.startAnother();
    assert.equal((await login(app, { code: nextCode })).status, 200);
    const replay = await new HttpClient(other.url).json<ErrorBody>("POST", "/api/auth/login", {
      json: { username: "alice", password: PASSWORD, code: nextCode },
    });
    assertError(replay, 401, "invalid_code");
  },
);

appTest("login with two-factor on - each recovery code works once, however typed", async (app) => {
  const { recoveryCodes } = await enrol(app);
  const [first, second] = recoveryCodes;
  assert.equal((await login(app, { code: first })).status, 200);
  assertError(await login(app, { code: first }), 401, "invalid_code");
  const typed = ` ${second.replaceAll("-", " ").toUpperCase()} `;
  assert.equal((await login(app, { code: typed })).status, 200);
  assertError(await login(app, { code: second }), 401, "invalid_code");
  assertError(await login(app, { code: "0000-0000-0000" }), 401, "invalid_code");
});

appTest("login with two-factor on - a code that is not a string is a 400", async (app) => {
  await enrol(app);
  assertError(await login(app, { code: 123456 }), 400, "invalid_code");
  assertError(await login(app, { code: ["123456"] }), 400, "invalid_code");
});

appTest(
  "login with two-factor on - wrong codes count as failed logins, a missing code does not",
  async (app) => {
    const { nextCode, secret } = await enrol(app);
    const from = { "X-Forwarded-For": "10.9.9.9" };
    for (let i = 0; i < 5; i++) assertError(await login(app, {}, from), 401, "totp_required");
    for (let i = 0; i < 3; i++) {
      assertError(await login(app, { code: wrongCode(secret) }, from), 401, "invalid_code");
    }
    assertError(await login(app, { code: nextCode }, from), 429, "rate_limited");
  },
  { TRUST_PROXY: "127.0.0.1", LOGIN_RATE_LIMIT: "3" },
);

appTest(
  "DELETE /api/me/totp - needs the password and a code, then login needs no code",
  async (app) => {
    const { client, nextCode, secret } = await enrol(app);
    const remove = (json: unknown) => client.json<ErrorBody>("DELETE", "/api/me/totp", { json });
    assertError(
      await remove({ password: "wrong password", code: nextCode }),
      401,
      "invalid_credentials",
    );
    assertError(await remove({ password: PASSWORD, code: wrongCode(secret) }), 401, "invalid_code");
    assertError(await remove({ password: PASSWORD }), 400, "invalid_code");
    assertError(await remove({ code: nextCode }), 400, "invalid_credentials");
    assertError(await login(app, {}), 401, "totp_required");
    // The wrong password above did not use up the code.
    const removed = await client.request("DELETE", "/api/me/totp", {
      json: { password: PASSWORD, code: nextCode },
    });
    assert.equal(removed.status, 204);
    assert.equal((await login(app, {})).status, 200);
    assertError(await remove({ password: PASSWORD, code: nextCode }), 409, "totp_not_enabled");
  },
);

appTest("DELETE /api/me/totp - a recovery code also turns it off", async (app) => {
  const { client, recoveryCodes } = await enrol(app);
  const removed = await client.request("DELETE", "/api/me/totp", {
    json: { password: PASSWORD, code: recoveryCodes[4] },
  });
  assert.equal(removed.status, 204);
  assert.equal((await login(app, {})).status, 200);
});

appTest("/api/me/totp - needs a session", async (app) => {
  const anonymous = new HttpClient(app.url);
  for (
    const [method, path] of [["POST", "/api/me/totp"], ["POST", "/api/me/totp/confirm"], [
      "DELETE",
      "/api/me/totp",
    ]]
  ) {
    const answer = await anonymous.json<ErrorBody>(method, path, { json: { code: "123456" } });
    assertError(answer, 401, "unauthorized");
  }
});

appTest(
  "SECURITY_LOG - two-factor on, a wrong code, a recovery code, off; no secret",
  async (app) => {
    const { client, secret, recoveryCodes, nextCode } = await enrol(app);
    const { body: { user } } = await client.json<{ user: { id: string } }>("GET", "/api/me");
    const wrong = wrongCode(secret);
    assertError(await login(app, { code: wrong }), 401, "invalid_code");
    assert.equal((await login(app, { code: recoveryCodes[0] })).status, 200);
    const remove = (json: unknown) => client.request("DELETE", "/api/me/totp", { json });
    assert.equal((await remove({ password: "wrong password", code: nextCode })).status, 401);
    assert.equal((await remove({ password: PASSWORD, code: nextCode })).status, 204);

    const text = await Deno.readTextFile(LOG);
    for (
      const hidden of [secret, recoveryCodes[0], recoveryCodes[0].replaceAll("-", ""), nextCode]
    ) {
      assert.ok(!text.includes(hidden), `the log holds a secret: ${hidden}`);
    }
    const events = (await readSecurityLog(LOG)).filter((event) => event.userId === user.id);
    assert.deepEqual(events.map((event) => [event.event, event.reason]), [
      ["registered", undefined],
      ["totp_enabled", undefined],
      ["login_failed", "invalid_code"],
      ["recovery_code_used", undefined],
      ["login", undefined],
      ["totp_disable_failed", "wrong_password"],
      ["totp_disabled", undefined],
    ]);
  },
  { SECURITY_LOG: LOG },
);
