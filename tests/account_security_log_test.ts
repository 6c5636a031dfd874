/** The security log (SECURITY_LOG): one JSON line per account event, read back from the file. */
import assert from "node:assert/strict";
import { readSecurityLog } from "../lib/accounts/security_log.ts";
import type { LoggedSecurityEvent } from "../lib/accounts/security_log.ts";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";
import { logIn } from "./helpers/second_session.ts";

const LOG = await Deno.makeTempFile({ prefix: "salon-security-", suffix: ".log" });
globalThis.addEventListener("unload", () => Deno.removeSync(LOG));
const NEW_PASSWORD = "a new stable phrase";

/** Only this test's lines: each backend's run appends to the same file. */
function linesOf(events: LoggedSecurityEvent[], userId: string): LoggedSecurityEvent[] {
  return events.filter((event) => event.userId === userId);
}

appTest(
  "SECURITY_LOG - logins, failures, throttling, password changes and revocations, no secrets",
  async (app) => {
    const alice = await register(app, "alice");
    const laptop = await logIn(app, "alice");
    const changed = await alice.http.request("PUT", "/api/me/password", {
      json: { currentPassword: "correct horse", newPassword: NEW_PASSWORD },
    });
    assert.equal(changed.status, 204);
    const stranger = new HttpClient(app.url);
    const statuses = [];
    for (let i = 0; i < 2; i++) {
      const response = await stranger.request("POST", "/api/auth/login", {
        json: { username: "alice", password: "a guess" },
      });
      await response.body?.cancel();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 429]);
    await alice.http.request("POST", "/api/auth/logout").then((r) => r.body?.cancel());

    const text = await Deno.readTextFile(LOG);
    for (const secret of ["correct horse", NEW_PASSWORD, "a guess", alice.token, laptop.token]) {
      assert.ok(!text.includes(secret), `the log holds a secret: ${secret}`);
    }
    const all = await readSecurityLog(LOG);
    const events = linesOf(all, alice.id);
    assert.deepEqual(events.map((e) => e.event), [
      "registered",
      "login",
      "password_changed",
      "session_revoked",
      "login_failed",
    ]);
    for (const event of events) {
      assert.ok(!Number.isNaN(Date.parse(event.time)));
      assert.equal(event.ip, "127.0.0.1");
      assert.equal(event.username, "alice");
    }
    assert.equal(events[3].reason, "password_changed");
    const throttled = all.filter((e) => e.event === "login_throttled" && e.username === "alice");
    assert.ok(throttled.length >= 1);
    const logout = all.filter((e) => e.event === "logout");
    assert.ok(logout.length >= 1 && logout.every((e) => e.sessionId));
  },
  { SECURITY_LOG: LOG, LOGIN_RATE_LIMIT: "1" },
);

appTest(
  "SECURITY_LOG - a refused registration is logged with its reason",
  async (app) => {
    const response = await new HttpClient(app.url).request("POST", "/api/auth/register", {
      json: { username: "newcomer", password: "correct horse" },
    });
    await response.body?.cancel();
    assert.equal(response.status, 403);
    const refused = (await readSecurityLog(LOG)).filter((e) => e.event === "registration_refused");
    assert.ok(refused.some((e) => e.reason === "registration_closed" && e.ip === "127.0.0.1"));
  },
  { SECURITY_LOG: LOG, REGISTRATION: "closed" },
);
