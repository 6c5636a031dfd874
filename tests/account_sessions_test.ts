/** GET/DELETE /api/me/sessions (API.md "Accounts"), through the real app on both stores. */
import assert from "node:assert/strict";
import { SESSION_TOUCH_INTERVAL_MS, WS_CLOSE_SESSION_ENDED } from "../lib/limits.ts";
import type { SessionView } from "../lib/accounts/account_service.ts";
import { appTest } from "./helpers/app_test.ts";
import { register } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";
import type { HttpClient } from "./helpers/http_client.ts";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148";

async function sessionsOf(http: HttpClient): Promise<SessionView[]> {
  const { status, body } = await http.json<{ sessions: SessionView[] }>(
    "GET",
    "/api/me/sessions",
  );
  assert.equal(status, 200);
  return body.sessions;
}

appTest(
  "GET /api/me/sessions - lists the user's sessions, oldest first, the caller's marked",
  async (app) => {
    await register(app, "alice");
    const laptop = await logIn(app, "alice", { userAgent: FIREFOX });
    const phone = await logIn(app, "alice", { userAgent: PHONE });
    await register(app, "bob"); // his session is not alice's: not listed below

    const sessions = await sessionsOf(laptop.http);
    assert.equal(sessions.length, 3);
    assert.deepEqual(Object.keys(sessions[0]).sort(), [
      "createdAt",
      "current",
      "id",
      "lastSeenAt",
      "userAgent",
    ]);
    assert.deepEqual(sessions.map((s) => s.current), [false, true, false]);
    assert.deepEqual(sessions.slice(1).map((s) => s.userAgent), [FIREFOX, PHONE]);
    for (const session of sessions) {
      assert.ok(Date.parse(session.lastSeenAt) >= Date.parse(session.createdAt));
    }
    const fromPhone = await sessionsOf(phone.http);
    assert.deepEqual(fromPhone.map((s) => s.current), [false, false, true]);
    assert.deepEqual(fromPhone.map((s) => s.id), sessions.map((s) => s.id));
  },
);

appTest(
  "GET /api/me/sessions - lastSeenAt follows use, written at most once a minute",
  async (app) => {
    await register(app, "alice");
    const laptop = await logIn(app, "alice");
    const [{ id }] = (await sessionsOf(laptop.http)).filter((s) => s.current);
    const stored = async () => (await app.testStore.store.findSession(id))!.lastSeenAt.getTime();
    const first = await stored();
    assert.equal(await meStatus(laptop.http), 200);
    assert.equal(await stored(), first, "a request within the minute writes nothing");

    // As if the last use were over a minute ago: the next request records the new one.
    const longAgo = new Date(first - SESSION_TOUCH_INTERVAL_MS - 1000);
    await app.testStore.store.touchSession(id, longAgo);
    assert.equal(await meStatus(laptop.http), 200);
    assert.ok(await stored() >= first);
  },
);

appTest(
  "DELETE /api/me/sessions/:id - ends that session and closes its sockets",
  async (app) => {
    const alice = await register(app, "alice");
    const phone = await logIn(app, "alice", { userAgent: PHONE });
    const phoneSocket = await phone.connect();
    const target = (await sessionsOf(alice.http)).find((s) => s.userAgent === PHONE)!;

    const response = await alice.http.request("DELETE", `/api/me/sessions/${target.id}`);
    assert.equal(response.status, 204);
    assert.equal((await phoneSocket.next("error")).code, "session_ended");
    assert.equal((await phoneSocket.closed).code, WS_CLOSE_SESSION_ENDED);
    assert.equal(await meStatus(phone.http), 401);
    assert.equal(await meStatus(alice.http), 200);
    assert.equal((await sessionsOf(alice.http)).length, 1);
  },
);

appTest(
  "DELETE /api/me/sessions/:id - another user's session or an unknown id is 404",
  async (app) => {
    const alice = await register(app, "alice");
    const bob = await register(app, "bob");
    const [bobs] = await sessionsOf(bob.http);
    for (const id of [bobs.id, crypto.randomUUID(), "not-an-id", "x".repeat(5000)]) {
      const { status, body } = await alice.http.json<{ error: { code: string } }>(
        "DELETE",
        `/api/me/sessions/${id}`,
      );
      assert.equal(status, 404);
      assert.equal(body.error.code, "not_found");
    }
    assert.equal(await meStatus(bob.http), 200);
  },
);

appTest("DELETE /api/me/sessions/:id - one's own session is a logout", async (app) => {
  const alice = await register(app, "alice");
  const [own] = await sessionsOf(alice.http);
  const token = alice.token;
  const response = await alice.http.request("DELETE", `/api/me/sessions/${own.id}`);
  assert.equal(response.status, 204);
  assert.match(response.headers.get("Set-Cookie") ?? "", /salon_session=;/);
  const bearer = await fetch(`${app.url}/api/me`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  await bearer.body?.cancel();
  assert.equal(bearer.status, 401);
});

appTest(
  "DELETE /api/me/sessions - ends every session but the caller's, closing their sockets",
  async (app) => {
    const alice = await register(app, "alice");
    const bob = await register(app, "bob");
    const others = await Promise.all([logIn(app, "alice"), logIn(app, "alice")]);
    const sockets = await Promise.all(others.map((session) => session.connect()));
    const bobSocket = await bob.connect();

    const response = await alice.http.request("DELETE", "/api/me/sessions");
    assert.equal(response.status, 204);
    for (const socket of sockets) {
      assert.equal((await socket.closed).code, WS_CLOSE_SESSION_ENDED);
    }
    for (const session of others) assert.equal(await meStatus(session.http), 401);
    assert.deepEqual((await sessionsOf(alice.http)).map((s) => s.current), [true]);
    assert.equal(await meStatus(bob.http), 200);
    assert.equal(bobSocket.socket.readyState, WebSocket.OPEN);
    await bobSocket.close();
  },
);

appTest("GET /api/me/sessions - needs a session", async (app) => {
  const response = await fetch(`${app.url}/api/me/sessions`);
  await response.body?.cancel();
  assert.equal(response.status, 401);
});
