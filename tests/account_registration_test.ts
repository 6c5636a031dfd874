/** `REGISTRATION=open|invite|closed` (API.md "Accounts"), through the real app on both stores. */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { seedAccount } from "./helpers/seed_account.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { logIn } from "./helpers/second_session.ts";
import type { TestApp } from "./helpers/test_app.ts";

interface ErrorBody {
  error: { code: string; message: string };
}

function registerWith(app: TestApp, json: Record<string, unknown>) {
  return new HttpClient(app.url).json<ErrorBody>("POST", "/api/auth/register", { json });
}

appTest("REGISTRATION=closed - register is 403 registration_closed; login works", async (app) => {
  await seedAccount(app, "operator");
  const refused = await registerWith(app, { username: "newcomer", password: "correct horse" });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, "registration_closed");
  await logIn(app, "operator");
}, { REGISTRATION: "closed" });

appTest(
  "REGISTRATION=invite - register needs a valid invite code and joins its server",
  async (app) => {
    await seedAccount(app, "operator");
    const operator = await logIn(app, "operator");
    const created = await operator.http.json<{ server: { id: string } }>(
      "POST",
      "/api/servers",
      { json: { name: "Club" } },
    );
    const { body: { code } } = await operator.http.json<{ code: string }>(
      "POST",
      `/api/servers/${created.body.server.id}/invites`,
    );

    for (const inviteCode of [undefined, "", "no-such-code", 42, "x".repeat(10_000)]) {
      const refused = await registerWith(app, {
        username: "newcomer",
        password: "correct horse",
        inviteCode,
      });
      assert.equal(refused.status, 400, String(inviteCode));
      assert.equal(refused.body.error.code, "invite_invalid");
    }

    const client = new HttpClient(app.url);
    const joined = await client.request("POST", "/api/auth/register", {
      json: { username: "newcomer", password: "correct horse", inviteCode: code },
    });
    await joined.body?.cancel();
    assert.equal(joined.status, 201);
    const servers = await client.json<{ servers: { id: string }[] }>("GET", "/api/servers");
    assert.deepEqual(servers.body.servers.map((s) => s.id), [created.body.server.id]);
  },
  { REGISTRATION: "invite" },
);

appTest("REGISTRATION unset - anyone may register, an inviteCode is ignored", async (app) => {
  const response = await registerWith(app, {
    username: "newcomer",
    password: "correct horse",
    inviteCode: "whatever",
  });
  assert.equal(response.status, 201);
});
