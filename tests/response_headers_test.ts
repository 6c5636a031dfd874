/**
 * Response headers an attacker probed (issue "Accounts people can trust", findings 4 and 12):
 * a route's own stricter CSP survives the global security headers, personal answers are never
 * cached, powerful browser features are off, and over https the cookie carries `__Host-`.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";

const PASSWORD = "correct horse";

async function registered(base: string, username: string) {
  const client = new HttpClient(base);
  const answer = await client.json<{ user: { id: string }; token: string }>(
    "POST",
    "/api/auth/register",
    { json: { username, password: PASSWORD } },
  );
  assert.equal(answer.status, 201);
  return { client, answer };
}

appTest("avatar - served with its own sandboxing CSP, not the page policy", async (app) => {
  const { client, answer } = await registered(app.url, "pictured");
  const response = await client.request("GET", `/api/users/${answer.body.user.id}/avatar`);
  await response.body?.cancel();
  assert.equal(response.status, 200);
  const csp = response.headers.get("Content-Security-Policy") ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /sandbox/);
  assert.doesNotMatch(csp, /script-src 'self'/, "the page policy must not replace it");
});

appTest("cache - personal answers and the token-carrying login say no-store", async (app) => {
  const { client, answer } = await registered(app.url, "private.person");
  assert.equal(answer.headers.get("Cache-Control"), "no-store", "register carries the token");
  const me = await client.request("GET", "/api/me");
  await me.body?.cancel();
  assert.equal(me.headers.get("Cache-Control"), "no-store");
  const bearer = await fetch(`${app.url}/api/servers`, {
    headers: { Authorization: `Bearer ${answer.body.token}` },
  });
  await bearer.body?.cancel();
  assert.equal(bearer.headers.get("Cache-Control"), "no-store");
  const login = await new HttpClient(app.url).request("POST", "/api/auth/login", {
    json: { username: "private.person", password: PASSWORD },
  });
  await login.body?.cancel();
  assert.equal(login.status, 200);
  assert.equal(login.headers.get("Cache-Control"), "no-store");
  const page = await client.request("GET", "/chat");
  await page.body?.cancel();
  assert.equal(page.headers.get("Cache-Control"), "no-store");
});

appTest("permissions policy - camera, microphone and geolocation are off", async (app) => {
  const response = await fetch(`${app.url}/login`);
  await response.body?.cancel();
  const policy = response.headers.get("Permissions-Policy") ?? "";
  for (const feature of ["camera=()", "microphone=()", "geolocation=()"]) {
    assert.ok(policy.includes(feature), `${feature} in ${policy}`);
  }
});

appTest(
  "cookie - over https the session cookie is __Host- prefixed and only that name counts",
  async (app) => {
    const origin = "https://chat.example.test";
    const response = await fetch(`${app.url}/api/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: origin },
      body: JSON.stringify({ username: "tls.user", password: PASSWORD }),
    });
    await response.body?.cancel();
    assert.equal(response.status, 201);
    const cookie = response.headers.get("Set-Cookie") ?? "";
    assert.match(cookie, /^__Host-salon_session=[^;]+/);
    assert.match(cookie, /; Path=\//);
    assert.match(cookie, /; Secure/);
    assert.doesNotMatch(cookie, /Domain=/i);
    const token = cookie.split(";")[0].split("=")[1];
    const me = (name: string) =>
      fetch(`${app.url}/api/me`, { headers: { Cookie: `${name}=${token}` } })
        .then(async (answer) => (await answer.body?.cancel(), answer.status));
    assert.equal(await me("__Host-salon_session"), 200);
    assert.equal(await me("salon_session"), 401, "a plain (tossable) cookie is not accepted");
  },
  { ORIGIN: "https://chat.example.test" },
);
