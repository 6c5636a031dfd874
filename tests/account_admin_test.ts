/** Instance administration (API.md "Accounts", ADMIN_USERNAMES), through the real app on both stores. */
import assert from "node:assert/strict";
import type { AdminUserPage, AdminUserView } from "../lib/accounts/admin_service.ts";
import { WS_CLOSE_SESSION_ENDED } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { seedAdmin } from "./helpers/admins.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

const ADMINS = { ADMIN_USERNAMES: "root, Ops" };

appTest(
  "GET /api/admin/users - pages every account in byte order of usernames, with `suspended`",
  async (app) => {
    const root = await seedAdmin(app, "root");
    for (const name of ["b.z", "bcd", "a-z", "zed"]) await register(app, name);

    const first = await root.http.json<AdminUserPage>("GET", "/api/admin/users?limit=2");
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body.users.map((user) => user.username), ["a-z", "b.z"]);
    assert.equal(first.body.users[0].suspended, false);
    assert.deepEqual(Object.keys(first.body.users[0]).sort(), [
      "avatarUrl",
      "bio",
      "createdAt",
      "displayName",
      "id",
      "suspended",
      "username",
    ]);
    const second = await root.http.json<AdminUserPage>(
      "GET",
      `/api/admin/users?limit=2&after=${first.body.next}`,
    );
    assert.deepEqual(second.body.users.map((user) => user.username), ["bcd", "root"]);
    const last = await root.http.json<AdminUserPage>(
      "GET",
      `/api/admin/users?limit=2&after=${second.body.next}`,
    );
    assert.deepEqual(last.body.users.map((user) => user.username), ["zed"]);
    assert.equal(last.body.next, null);
    const all = await root.http.json<AdminUserPage>("GET", "/api/admin/users");
    assert.equal(all.body.users.length, 5);
    assert.equal(all.body.next, null);
  },
  ADMINS,
);

appTest("GET /api/admin/users - a bad limit or cursor is 400, not a 500", async (app) => {
  const root = await seedAdmin(app, "root");
  for (const query of ["limit=0", "limit=101", "limit=ten", "after=%20%20"]) {
    const { status, body } = await root.http.json<ErrorBody>("GET", `/api/admin/users?${query}`);
    assert.equal(status, 400, query);
    assert.match(body.error.code, /^invalid_(limit|cursor)$/, query);
  }
}, ADMINS);

appTest(
  "admin API - non-admins get 403, visitors 401; without ADMIN_USERNAMES nobody",
  async (app) => {
    const alice = await register(app, "alice");
    const bob = await register(app, "bob");
    const calls: [string, string, unknown?][] = [
      ["GET", "/api/admin/users"],
      ["PATCH", `/api/admin/users/${bob.id}`, { suspended: true }],
      ["POST", `/api/admin/users/${bob.id}/password-reset`],
    ];
    for (const [method, path, json] of calls) {
      const refused = await alice.http.json<ErrorBody>(method, path, { json });
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(refused.body.error.code, "forbidden");
      const visitor = await new HttpClient(app.url).json<ErrorBody>(method, path, { json });
      assert.equal(visitor.status, 401, `${method} ${path}`);
    }
    assert.equal(await meStatus(bob.http), 200);
  },
);

appTest(
  "PATCH /api/admin/users/:id - a suspension ends the sessions and closes the sockets at once",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const mallory = await register(app, "mallory");
    const phone = await logIn(app, "mallory");
    const [socket, phoneSocket] = await Promise.all([mallory.connect(), phone.connect()]);

    const { status, body } = await root.http.json<{ user: AdminUserView }>(
      "PATCH",
      `/api/admin/users/${mallory.id}`,
      { json: { suspended: true } },
    );
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.user.id, mallory.id);
    assert.equal(body.user.suspended, true);

    for (const ws of [socket, phoneSocket]) {
      assert.equal((await ws.next("error")).code, "session_ended");
      assert.equal((await ws.closed).code, WS_CLOSE_SESSION_ENDED);
    }
    // Their tokens now say why they no longer work.
    const me = await mallory.http.json<ErrorBody>("GET", "/api/me");
    assert.equal(me.status, 403);
    assert.equal(me.body.error.code, "suspended");
    const bearer = await new HttpClient(app.url).json<ErrorBody>("GET", "/api/servers", {
      headers: { Authorization: `Bearer ${phone.token}` },
    });
    assert.equal(bearer.status, 403);
    assert.equal(bearer.body.error.code, "suspended");

    const login = await new HttpClient(app.url).json<ErrorBody>("POST", "/api/auth/login", {
      json: { username: "mallory", password: "correct horse" },
    });
    assert.equal(login.status, 403);
    assert.equal(login.body.error.code, "suspended");
    // A wrong password still gets the usual answer: the suspension is no oracle for guessers.
    const guess = await new HttpClient(app.url).json<ErrorBody>("POST", "/api/auth/login", {
      json: { username: "mallory", password: "wrong password" },
    });
    assert.equal(guess.status, 401);

    const list = await root.http.json<AdminUserPage>("GET", "/api/admin/users");
    assert.equal(list.body.users.find((user) => user.username === "mallory")?.suspended, true);
    assert.equal(await meStatus(root.http), 200);
  },
  ADMINS,
);

appTest(
  "PATCH /api/admin/users/:id - lifting a suspension lets the user log in again",
  async (app) => {
    const ops = await seedAdmin(app, "ops");
    const carol = await register(app, "carol");
    await ops.http.json("PATCH", `/api/admin/users/${carol.id}`, { json: { suspended: true } });
    const lifted = await ops.http.json<{ user: AdminUserView }>(
      "PATCH",
      `/api/admin/users/${carol.id}`,
      { json: { suspended: false } },
    );
    assert.equal(lifted.status, 200);
    assert.equal(lifted.body.user.suspended, false);
    const again = await logIn(app, "carol");
    assert.equal(await meStatus(again.http), 200);
  },
  ADMINS,
);

appTest(
  "PATCH /api/admin/users/:id - bad input, unknown users and admins are refused",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const ops = await seedAdmin(app, "ops");
    const dave = await register(app, "dave");
    const bad = await root.http.json<ErrorBody>("PATCH", `/api/admin/users/${dave.id}`, {
      json: { suspended: "yes" },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_suspended");
    const unknown = await root.http.json<ErrorBody>("PATCH", "/api/admin/users/nobody", {
      json: { suspended: true },
    });
    assert.equal(unknown.status, 404);
    const admin = await root.http.json<ErrorBody>("PATCH", `/api/admin/users/${ops.id}`, {
      json: { suspended: true },
    });
    assert.equal(admin.status, 403);
    assert.equal(admin.body.error.code, "not_allowed");
    assert.equal(await meStatus(ops.http), 200);
  },
  ADMINS,
);

appTest(
  "POST /api/admin/users/:id/password-reset - 201 with a link to this site's reset page",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const erin = await register(app, "erin");
    const { status, body } = await root.http.json<{ url: string }>(
      "POST",
      `/api/admin/users/${erin.id}/password-reset`,
    );
    assert.equal(status, 201, JSON.stringify(body));
    assert.match(body.url, new RegExp(`^${app.url}/password-reset/[A-Za-z0-9_-]{43}$`));
    const page = await fetch(body.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /erin/);
    const unknown = await root.http.json<ErrorBody>(
      "POST",
      "/api/admin/users/nobody/password-reset",
    );
    assert.equal(unknown.status, 404);
  },
  ADMINS,
);
