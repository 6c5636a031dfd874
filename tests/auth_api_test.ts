/** The Authentication routes of API.md, through the real app on both stores. */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import type { TestApp } from "./helpers/test_app.ts";
import type { WireUser as UserBody } from "../lib/realtime/protocol.ts";
interface AuthBody {
  user: UserBody;
  token: string;
}
interface ErrorBody {
  error: { code: string; message: string };
}

async function register(app: TestApp, username = "alice", password = "correct horse") {
  const client = new HttpClient(app.url);
  const response = await client.json<AuthBody>("POST", "/api/auth/register", {
    json: { username, password },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return { client, ...response.body };
}

appTest(
  "POST /api/auth/register - creates the user, lowercases the name, sets the cookie",
  async (app) => {
    const client = new HttpClient(app.url);
    const response = await client.request("POST", "/api/auth/register", {
      json: { username: "Alice.B", password: "correct horse", displayName: "Alice B" },
    });
    assert.equal(response.status, 201);
    const { user, token } = await response.json() as AuthBody;
    assert.deepEqual(Object.keys(user).sort(), [
      "avatarUrl",
      "bio",
      "createdAt",
      "displayName",
      "id",
      "username",
    ]);
    assert.equal(user.username, "alice.b");
    assert.equal(user.displayName, "Alice B");
    assert.equal(user.bio, "");
    assert.equal(user.avatarUrl, `/api/users/${user.id}/avatar`);
    assert.ok(!Number.isNaN(Date.parse(user.createdAt)));
    assert.equal(typeof token, "string");
    const cookie = response.headers.get("Set-Cookie")!;
    assert.match(cookie, /^salon_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/); // plain http here
  },
);

appTest("POST /api/auth/register - display name defaults to the username", async (app) => {
  const { user } = await register(app, "bob");
  assert.equal(user.displayName, "bob");
});

appTest("POST /api/auth/register - invalid input gets 400 with a code", async (app) => {
  const client = new HttpClient(app.url);
  const cases: [unknown, string][] = [
    [{ username: "ab", password: "long enough" }, "invalid_username"],
    [{ username: "a".repeat(33), password: "long enough" }, "invalid_username"],
    [{ username: "bad name", password: "long enough" }, "invalid_username"],
    [{ username: "émile", password: "long enough" }, "invalid_username"],
    [{ username: 42, password: "long enough" }, "invalid_username"],
    [{ password: "long enough" }, "invalid_username"],
    [{ username: "carol", password: "short" }, "invalid_password"],
    [{ username: "carol", password: "x".repeat(129) }, "invalid_password"],
    [{ username: "carol", password: ["array"] }, "invalid_password"],
    [
      { username: "carol", password: "long enough", displayName: "a\u202Eb" },
      "invalid_display_name",
    ],
    [
      { username: "carol", password: "long enough", displayName: "x".repeat(65) },
      "invalid_display_name",
    ],
  ];
  for (const [json, code] of cases) {
    const { status, body } = await client.json<ErrorBody>("POST", "/api/auth/register", { json });
    assert.equal(status, 400, JSON.stringify(json));
    assert.equal(body.error.code, code, JSON.stringify(json));
    assert.ok(body.error.message.length > 0);
  }
  assert.equal(await app.testStore.store.findUserByUsername("carol"), null);
});

appTest("POST /api/auth/register - a taken username is 409, whatever its case", async (app) => {
  await register(app, "dave");
  const { status, body } = await new HttpClient(app.url).json<ErrorBody>(
    "POST",
    "/api/auth/register",
    { json: { username: "DAVE", password: "another one" } },
  );
  assert.equal(status, 409);
  assert.equal(body.error.code, "username_taken");
});

appTest(
  "POST /api/auth/login - any case; unknown user and wrong password look the same",
  async (app) => {
    await register(app, "erin", "right password");
    const client = new HttpClient(app.url);
    const ok = await client.json<AuthBody>("POST", "/api/auth/login", {
      json: { username: "ERIN", password: "right password" },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.user.username, "erin");
    assert.ok(client.cookie);

    const wrong = await client.json("POST", "/api/auth/login", {
      json: { username: "erin", password: "wrong password" },
    });
    const unknown = await client.json("POST", "/api/auth/login", {
      json: { username: "nobody", password: "wrong password" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
  },
);

appTest("GET /api/me - by cookie and by Bearer token; 401 without", async (app) => {
  const { client, token, user } = await register(app, "frank");
  // The caller's own user also carries its dmPolicy (API.md "Direct messages").
  assert.deepEqual((await client.json("GET", "/api/me")).body, {
    user: { ...user, dmPolicy: "server_members" },
  });
  const bearer = await new HttpClient(app.url).json("GET", "/api/me", {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.deepEqual(bearer.body, { user: { ...user, dmPolicy: "server_members" } });
  const anonymous = await new HttpClient(app.url).json<ErrorBody>("GET", "/api/me");
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.error.code, "unauthorized");
  const forged = await new HttpClient(app.url).json("GET", "/api/me", {
    headers: { Authorization: `Bearer ${token.slice(0, -2)}xx` },
  });
  assert.equal(forged.status, 401);
});

appTest(
  "POST /api/auth/logout - revokes that session's token and clears the cookie",
  async (app) => {
    const { client, token } = await register(app, "grace");
    const other = await new HttpClient(app.url).json<AuthBody>("POST", "/api/auth/login", {
      json: { username: "grace", password: "correct horse" },
    });
    const cookie = client.cookie!;
    const response = await client.request("POST", "/api/auth/logout");
    assert.equal(response.status, 204);
    assert.match(response.headers.get("Set-Cookie")!, /salon_session=;.*Max-Age=0/);
    const credentials: Record<string, string>[] = [
      { Authorization: `Bearer ${token}` },
      { Cookie: cookie },
    ];
    for (const headers of credentials) {
      const after = await new HttpClient(app.url).json("GET", "/api/me", { headers });
      assert.equal(after.status, 401);
    }
    // Another session of the same user is untouched.
    const still = await new HttpClient(app.url).json("GET", "/api/me", {
      headers: { Authorization: `Bearer ${other.body.token}` },
    });
    assert.equal(still.status, 200);
  },
);

appTest("PATCH /api/me - updates the profile, validates it", async (app) => {
  const { client } = await register(app, "heidi");
  const ok = await client.json<{ user: UserBody }>("PATCH", "/api/me", {
    json: { displayName: "  Heidi 🌼 ", bio: "Line one\r\nLine two" },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.user.displayName, "Heidi 🌼");
  assert.equal(ok.body.user.bio, "Line one\nLine two");
  const partial = await client.json<{ user: UserBody }>("PATCH", "/api/me", { json: { bio: "" } });
  assert.equal(partial.body.user.displayName, "Heidi 🌼");
  assert.equal(partial.body.user.bio, "");

  const bad: [unknown, string][] = [
    [{ displayName: "" }, "invalid_display_name"],
    [{ displayName: "tab\there" }, "invalid_display_name"],
    [{ displayName: 5 }, "invalid_display_name"],
    [{ bio: "x".repeat(501) }, "invalid_bio"],
    [{ bio: "bell\u0007" }, "invalid_bio"],
  ];
  for (const [json, code] of bad) {
    const { status, body } = await client.json<ErrorBody>("PATCH", "/api/me", { json });
    assert.equal(status, 400, JSON.stringify(json));
    assert.equal(body.error.code, code);
  }
  const lone = await client.json<ErrorBody>("PATCH", "/api/me", {
    body: '{"displayName":"\\ud800"}',
    headers: { "Content-Type": "application/json" },
  });
  assert.equal(lone.status, 400);
  assert.equal(
    (await client.json<{ user: UserBody }>("GET", "/api/me")).body.user.displayName,
    "Heidi 🌼",
  );
});

appTest(
  "JSON bodies - 415 wrong type, 400 malformed or not an object, 413 too large",
  async (app) => {
    const { client } = await register(app, "ivan");
    const send = (body: BodyInit, type = "application/json") =>
      client.json<ErrorBody>("PATCH", "/api/me", { body, headers: { "Content-Type": type } });
    assert.equal((await send('{"bio":"x"}', "text/plain")).status, 415);
    const malformed = await send("{nope");
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, "invalid_json");
    assert.equal((await send("[1,2]")).status, 400);
    assert.equal((await send(new Uint8Array([0x7b, 0xff, 0x7d]))).status, 400);
    const huge = await send(JSON.stringify({ bio: "x".repeat(200_000) }));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, "payload_too_large");
  },
);
