/**
 * A suspended account's cookie (review finding): the API and the socket answer 403 suspended,
 * but pages and sign-in treat it as signed out and clear it, so that browser can still reach
 * the login page and sign in as someone else.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { seedAccount } from "./helpers/seed_account.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { logIn } from "./helpers/second_session.ts";

appTest("suspended cookie - the API refuses it, pages drop it and clear it", async (app) => {
  await seedAccount(app, "boss");
  const userId = await seedAccount(app, "gone");
  const boss = await logIn(app, "boss");
  const gone = await logIn(app, "gone");
  const cookie = gone.http.cookie!;
  const suspended = await boss.http.json("PATCH", `/api/admin/users/${userId}`, {
    json: { suspended: true },
  });
  assert.equal(suspended.status, 200);

  const api = await fetch(`${app.url}/api/me`, { headers: { Cookie: cookie } });
  const body = await api.json() as { error: { code: string } };
  assert.equal(api.status, 403);
  assert.equal(body.error.code, "suspended");

  const login = await fetch(`${app.url}/login`, { headers: { Cookie: cookie } });
  await login.body?.cancel();
  assert.equal(login.status, 200, "the login page opens");
  assert.match(login.headers.get("Set-Cookie") ?? "", /salon_session=;.*Max-Age=0/);

  // From that browser, someone else signs in.
  const other = new HttpClient(app.url);
  other.cookie = cookie;
  const signIn = await other.request("POST", "/api/auth/login", {
    json: { username: "boss", password: "correct horse" },
  });
  await signIn.body?.cancel();
  assert.equal(signIn.status, 200);
}, { ADMIN_USERNAMES: "boss" });
