/**
 * Changing the e-mail reset links go to needs the current password (a stolen session must not
 * redirect the account's resets), through the JSON API and the settings form, on both stores.
 */
import assert from "node:assert/strict";
import { readSecurityLog } from "../lib/accounts/security_log.ts";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";

const LOG = await Deno.makeTempFile({ prefix: "salon-email-", suffix: ".log" });
globalThis.addEventListener("unload", () => Deno.removeSync(LOG));
const PASSWORD = "correct horse";

appTest(
  "PUT /api/me/email - without the current password 400, a wrong one 401, the right one logged",
  async (app) => {
    const kim = await register(app, "kim");
    const put = (json: Record<string, unknown>) =>
      kim.http.json<{ email?: string | null; error?: { code: string } }>(
        "PUT",
        "/api/me/email",
        { json },
      );
    const missing = await put({ email: "thief@example.com" });
    assert.equal(missing.status, 400, JSON.stringify(missing.body));
    assert.equal(missing.body.error?.code, "invalid_credentials");
    const wrong = await put({ email: "thief@example.com", currentPassword: "a guess" });
    assert.equal(wrong.status, 401, JSON.stringify(wrong.body));
    assert.equal(wrong.body.error?.code, "invalid_credentials");
    const shown = await kim.http.json<{ email: string | null }>("GET", "/api/me/email");
    assert.equal(shown.body.email, null, "a refused change changes nothing");

    const right = await put({ email: "kim@example.com", currentPassword: PASSWORD });
    assert.equal(right.status, 200, JSON.stringify(right.body));
    assert.equal(right.body.email, "kim@example.com");
    const events = (await readSecurityLog(LOG)).filter((e) => e.userId === kim.id);
    assert.deepEqual(
      events.map((e) => [e.event, e.reason]),
      [["registered", undefined], ["email_change_failed", "wrong_password"], [
        "email_changed",
        undefined,
      ]],
    );
  },
  { SECURITY_LOG: LOG },
);

appTest(
  "PUT /api/me/email - a wrong password counts as a failed login of the account",
  async (app) => {
    const lea = await register(app, "lea");
    const wrong = await lea.http.request("PUT", "/api/me/email", {
      json: { email: "thief@example.com", currentPassword: "a guess" },
    });
    await wrong.body?.cancel();
    assert.equal(wrong.status, 401);
    // LOGIN_RATE_LIMIT=1: the one failure allowed is spent, so even the right password waits.
    const login = await new HttpClient(app.url).request("POST", "/api/auth/login", {
      json: { username: "lea", password: PASSWORD },
    });
    await login.body?.cancel();
    assert.equal(login.status, 429);
  },
  { LOGIN_RATE_LIMIT: "1" },
);

appTest("settings page - e-mail: a wrong current password is shown at its field", async (app) => {
  const max = await register(app, "max");
  const answer = await max.http.request("POST", "/settings/email", {
    body: new URLSearchParams({ email: "thief@example.com", emailPassword: "a guess" }),
  });
  assert.equal(answer.status, 401);
  const html = await answer.text();
  assert.match(html, /name="emailPassword"/);
  assert.match(html, /Your current password is wrong\./);
  assert.match(html, /value="thief@example.com"/, "what was typed is kept");
  const shown = await max.http.json<{ email: string | null }>("GET", "/api/me/email");
  assert.equal(shown.body.email, null);
});
