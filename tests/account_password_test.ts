/** PUT /api/me/password (API.md "Accounts"), through the real app on both stores. */
import assert from "node:assert/strict";
import { WS_CLOSE_SESSION_ENDED } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { register } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

appTest(
  "PUT /api/me/password - revokes every other session and closes its sockets; this one stays",
  async (app) => {
    const alice = await register(app, "alice");
    const laptop = await logIn(app, "alice");
    const phone = await logIn(app, "alice");
    const [laptopSocket, ownSocket] = await Promise.all([laptop.connect(), alice.connect()]);

    const changed = await alice.http.request("PUT", "/api/me/password", {
      json: { currentPassword: "correct horse", newPassword: "a new stable phrase" },
    });
    assert.equal(changed.status, 204);

    assert.equal((await laptopSocket.next("error")).code, "session_ended");
    assert.equal((await laptopSocket.closed).code, WS_CLOSE_SESSION_ENDED);
    assert.equal(await meStatus(laptop.http), 401);
    assert.equal(await meStatus(phone.http), 401);
    assert.equal(await meStatus(alice.http), 200);
    assert.equal(ownSocket.socket.readyState, WebSocket.OPEN);
    assert.deepEqual(ownSocket.all("error"), []);
    await ownSocket.close();

    const old = await alice.http.json<ErrorBody>("POST", "/api/auth/login", {
      json: { username: "alice", password: "correct horse" },
    });
    assert.equal(old.status, 401);
    await logIn(app, "alice", { password: "a new stable phrase" });
  },
);

appTest(
  "PUT /api/me/password - a wrong current password is 401 and changes nothing",
  async (app) => {
    const alice = await register(app, "alice");
    const other = await logIn(app, "alice");
    const wrong = await alice.http.json<ErrorBody>("PUT", "/api/me/password", {
      json: { currentPassword: "not my password", newPassword: "a new stable phrase" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, "invalid_credentials");
    assert.equal(await meStatus(other.http), 200);
    await logIn(app, "alice");
  },
);

appTest("PUT /api/me/password - bad input gets 400 with a code", async (app) => {
  const alice = await register(app, "alice");
  const cases: [Record<string, unknown>, string][] = [
    [{ newPassword: "a new stable phrase" }, "invalid_credentials"],
    [{ currentPassword: "correct horse" }, "invalid_password"],
    [{ currentPassword: "correct horse", newPassword: "short" }, "invalid_password"],
    [{ currentPassword: "correct horse", newPassword: "password123" }, "weak_password"],
    [{ currentPassword: "correct horse", newPassword: "I am ALICE here" }, "weak_password"],
  ];
  for (const [json, code] of cases) {
    const response = await alice.http.json<ErrorBody>("PUT", "/api/me/password", { json });
    assert.equal(response.status, 400, JSON.stringify(json));
    assert.equal(response.body.error.code, code, JSON.stringify(json));
  }
  await logIn(app, "alice");
});

appTest("PUT /api/me/password - needs a session", async (app) => {
  const response = await fetch(`${app.url}/api/me/password`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ currentPassword: "x", newPassword: "a new stable phrase" }),
  });
  await response.body?.cancel();
  assert.equal(response.status, 401);
});

appTest(
  "PUT /api/me/password - guesses of the current password are throttled like logins",
  async (app) => {
    const alice = await register(app, "alice");
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await alice.http.request("PUT", "/api/me/password", {
        json: { currentPassword: `guess ${i}`, newPassword: "a new stable phrase" },
      });
      await response.body?.cancel();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 429, 429]);
  },
  { LOGIN_RATE_LIMIT: "1" },
);
