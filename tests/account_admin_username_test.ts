/**
 * Admin rights follow ADMIN_USERNAMES: a listed name that has no account yet cannot be
 * registered (answered like a taken name), so nobody claims it; on both stores.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";

appTest(
  "register - a name ADMIN_USERNAMES lists is 409 username_taken, others register",
  async (app) => {
    const client = new HttpClient(app.url);
    const claim = await client.json<{ error: { code: string } }>("POST", "/api/auth/register", {
      json: { username: "Root", password: "correct horse" },
    });
    assert.equal(claim.status, 409, JSON.stringify(claim.body));
    assert.equal(claim.body.error.code, "username_taken");
    const admin = await client.json<{ error: { code: string } }>("GET", "/api/admin/users");
    assert.equal(admin.status, 401, "no session was started");
    const other = await new HttpClient(app.url).request("POST", "/api/auth/register", {
      json: { username: "rooted", password: "correct horse" },
    });
    await other.body?.cancel();
    assert.equal(other.status, 201);
  },
  { ADMIN_USERNAMES: "root" },
);
