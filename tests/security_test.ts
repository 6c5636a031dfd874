/** CSRF, security headers, rate limits and session persistence, through the real app. */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";

const PASSWORD = "correct horse";

appTest("same origin - a cross-site POST is refused with 403, same-site passes", async (app) => {
  const client = new HttpClient(app.url);
  const evil = await client.json<{ error: { code: string } }>("POST", "/api/auth/register", {
    json: { username: "victim", password: PASSWORD },
    headers: { Origin: "http://evil.example" },
  });
  assert.equal(evil.status, 403);
  assert.equal(evil.body.error.code, "cross_origin_request");
  const fetchSite = await client.json("POST", "/api/auth/register", {
    json: { username: "victim", password: PASSWORD },
    headers: { "Sec-Fetch-Site": "cross-site" },
  });
  assert.equal(fetchSite.status, 403);
  const form = await client.request("POST", "/login", {
    body: new URLSearchParams({ username: "victim", password: PASSWORD }),
    headers: { Origin: "http://evil.example" },
  });
  assert.equal(form.status, 403);
  assert.equal(await app.testStore.store.findUserByUsername("victim"), null);

  const own = await client.json("POST", "/api/auth/register", {
    json: { username: "victim", password: PASSWORD },
    headers: { Origin: app.url },
  });
  assert.equal(own.status, 201);
});

appTest("security headers - CSP without inline scripts, framing denied, nosniff", async (app) => {
  const response = await fetch(`${app.url}/login`);
  await response.body?.cancel();
  const csp = response.headers.get("Content-Security-Policy")!;
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers.get("X-Frame-Options"), "DENY");
  assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff");
});

appTest(
  "login rate limit - per account, with Retry-After, even for the right password",
  async (app) => {
    const client = new HttpClient(app.url);
    await client.json("POST", "/api/auth/register", {
      json: { username: "judy", password: PASSWORD },
    });
    for (let i = 0; i < 3; i++) {
      const wrong = await client.json("POST", "/api/auth/login", {
        json: { username: "judy", password: "wrong password" },
      });
      assert.equal(wrong.status, 401);
    }
    const limited = await client.json<{ error: { code: string } }>("POST", "/api/auth/login", {
      json: { username: "JUDY", password: PASSWORD },
    });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, "rate_limited");
    const retryAfter = Number(limited.headers.get("Retry-After"));
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    // Another account from the same address is still fine (the per-IP limit is 10× higher).
    await client.json("POST", "/api/auth/register", {
      json: { username: "ken", password: PASSWORD },
    });
    const other = await client.json("POST", "/api/auth/login", {
      json: { username: "ken", password: PASSWORD },
    });
    assert.equal(other.status, 200);
  },
  { LOGIN_RATE_LIMIT: "3" },
);

appTest("login rate limit - per IP across accounts", async (app) => {
  const client = new HttpClient(app.url);
  for (let i = 0; i < 10; i++) {
    const wrong = await client.json("POST", "/api/auth/login", {
      json: { username: `nobody${i}`, password: "wrong password" },
    });
    assert.equal(wrong.status, 401);
  }
  const limited = await client.json("POST", "/api/auth/login", {
    json: { username: "someone.else", password: "wrong password" },
  });
  assert.equal(limited.status, 429);
}, { LOGIN_RATE_LIMIT: "1" });

appTest("register rate limit - per IP per hour", async (app) => {
  const client = new HttpClient(app.url);
  for (const username of ["one", "two"]) {
    const ok = await client.json("POST", "/api/auth/register", {
      json: { username, password: PASSWORD },
    });
    assert.equal(ok.status, 201);
  }
  const limited = await client.json("POST", "/api/auth/register", {
    json: { username: "three", password: PASSWORD },
  });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("Retry-After")) > 0);
  assert.equal(await app.testStore.store.findUserByUsername("three"), null);
}, { REGISTER_RATE_LIMIT: "2" });

appTest("RATE_LIMITS=off - no limit applies", async (app) => {
  const client = new HttpClient(app.url);
  for (let i = 0; i < 5; i++) {
    const wrong = await client.json("POST", "/api/auth/login", {
      json: { username: "nobody", password: "wrong password" },
    });
    assert.equal(wrong.status, 401);
  }
}, { LOGIN_RATE_LIMIT: "1", RATE_LIMITS: "off" });

appTest(
  "restart - sessions and profiles survive, with a generated secret kept in the store",
  async (app) => {
    const client = new HttpClient(app.url);
    const registered = await client.json<{ user: { id: string } }>("POST", "/api/auth/register", {
      json: { username: "persist", password: PASSWORD, displayName: "Still Here" },
    });
    assert.equal(registered.status, 201);
    await app.restart();
    const me = await client.json<{ user: { id: string; displayName: string } }>("GET", "/api/me");
    assert.equal(me.status, 200);
    assert.equal(me.body.user.id, registered.body.user.id);
    assert.equal(me.body.user.displayName, "Still Here");
  },
);

appTest("static files - favicon, logo and the built assets are served", async (app) => {
  for (const path of ["/favicon.svg", "/logo.svg"]) {
    const response = await fetch(app.url + path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get("Content-Type")!, /^image\/svg\+xml/);
    await response.body?.cancel();
  }
  const missing = await fetch(`${app.url}/build/nothing.js`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

appTest("unknown routes - JSON 404 under /api, an HTML page elsewhere", async (app) => {
  const api = await fetch(`${app.url}/api/nothing`);
  assert.equal(api.status, 404);
  assert.equal((await api.json()).error.code, "not_found");
  const page = await fetch(`${app.url}/nothing`);
  assert.equal(page.status, 404);
  assert.match(await page.text(), /This page does not exist/);
});
