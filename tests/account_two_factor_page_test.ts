/**
 * Two-factor sign-in on the HTML login page, without JavaScript: the password alone is answered
 * with the page again, now asking for the code; password and code together log in.
 */
import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";

const PASSWORD = "correct horse";

appTest("login page - asks for the two-factor code, then logs in with it", async (app) => {
  const owner = new HttpClient(app.url);
  await owner.json("POST", "/api/auth/register", {
    json: { username: "two.steps", password: PASSWORD },
  });
  const { body } = await owner.json<{ secret: string }>("POST", "/api/me/totp");
  const secret = Secret.fromBase32(body.secret);
  const now = Date.now();
  const confirmed = await owner.json("POST", "/api/me/totp/confirm", {
    json: { code: TOTP.generate({ secret, timestamp: now }) },
  });
  assert.equal(confirmed.status, 200);

  const form = (fields: Record<string, string>) => ({
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const visitor = new HttpClient(app.url);
  const first = await visitor.request(
    "POST",
    "/login",
    form({ username: "two.steps", password: PASSWORD }),
  );
  const page = await first.text();
  assert.equal(first.status, 401);
  assert.match(page, /name="code"/, "the code field is there now");
  assert.equal(visitor.cookie, undefined, "not logged in yet");

  const second = await visitor.request(
    "POST",
    "/login",
    form({
      username: "two.steps",
      password: PASSWORD,
      // The next step: the one used to confirm is spent.
      code: TOTP.generate({ secret, timestamp: now + 30_000 }),
    }),
  );
  await second.body?.cancel();
  assert.equal(second.status, 303);
  assert.ok(visitor.cookie, "logged in");
});
