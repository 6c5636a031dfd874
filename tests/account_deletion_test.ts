/** DELETE /api/me (API.md "Accounts"), through the real app on both stores. */
import assert from "node:assert/strict";
import { WS_CLOSE_SESSION_ENDED } from "../lib/limits.ts";
import type { WireMessage } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { room } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

appTest(
  "DELETE /api/me - ends every session; the messages stay, shown as by Deleted user",
  async (app) => {
    const { member, owner, serverId, channelId } = await room(app);
    const posted = await member.http.json<{ message: WireMessage }>(
      "POST",
      `/api/channels/${channelId}/messages`,
      { json: { content: "goodbye, all" } },
    );
    assert.equal(posted.status, 201);
    const phone = await logIn(app, "member");
    const phoneSocket = await phone.connect();
    const ownerSocket = await owner.connect();

    const deleted = await member.http.request("DELETE", "/api/me", {
      json: { password: "correct horse" },
    });
    assert.equal(deleted.status, 204);
    assert.match(deleted.headers.get("Set-Cookie") ?? "", /salon_session=;/);
    assert.equal((await phoneSocket.closed).code, WS_CLOSE_SESSION_ENDED);
    assert.equal(await meStatus(phone.http), 401);
    const left = await ownerSocket.next("member_left");
    assert.deepEqual([left.serverId, left.user.id], [serverId, member.id]);
    await ownerSocket.close();

    const history = await owner.http.json<{ messages: WireMessage[] }>(
      "GET",
      `/api/channels/${channelId}/messages`,
    );
    const kept = history.body.messages.find((m) => m.id === posted.body.message.id)!;
    assert.equal(kept.content, "goodbye, all");
    assert.equal(kept.author.displayName, "Deleted user");
    const server = await owner.http.json<{ members: { user: { id: string } }[] }>(
      "GET",
      `/api/servers/${serverId}`,
    );
    assert.deepEqual(server.body.members.map((m) => m.user.id), [owner.id]);

    const login = await phone.http.request("POST", "/api/auth/login", {
      json: { username: "member", password: "correct horse" },
    });
    await login.body?.cancel();
    assert.equal(login.status, 401);
  },
);

appTest("DELETE /api/me - refused while owning a server, or with a wrong password", async (app) => {
  const { owner, member } = await room(app);
  const cases: [typeof owner, Record<string, unknown>, number, string][] = [
    [owner, { password: "correct horse" }, 409, "owns_servers"],
    [member, { password: "not my password" }, 401, "invalid_credentials"],
    [member, {}, 400, "invalid_credentials"],
  ];
  for (const [person, json, status, code] of cases) {
    const response = await person.http.json<ErrorBody>("DELETE", "/api/me", { json });
    assert.equal(response.status, status, JSON.stringify(json));
    assert.equal(response.body.error.code, code);
  }
  assert.equal(await meStatus(owner.http), 200);
  assert.equal(await meStatus(member.http), 200);
});
