/** The password policy: no common passwords, no username inside (API.md "Accounts"). */
import assert from "node:assert/strict";
import { Invalid } from "../lib/errors.ts";
import { checkPasswordPolicy, isCommonPassword } from "../lib/accounts/password_policy.ts";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";

function weakness(password: string, username: string): string | null {
  try {
    checkPasswordPolicy(password, username);
    return null;
  } catch (error) {
    assert.ok(error instanceof Invalid);
    assert.equal(error.code, "weak_password");
    return error.message;
  }
}

Deno.test("isCommonPassword - knows the leaked favourites, in any case", () => {
  for (const password of ["password", "12345678", "qwertyuiop", "iloveyou1", "PassW0rd"]) {
    assert.equal(isCommonPassword(password), true, password);
  }
  for (const password of ["correct horse", "a new stable phrase", "tr4ms-at-dawn"]) {
    assert.equal(isCommonPassword(password), false, password);
  }
});

Deno.test("checkPasswordPolicy - refuses the username inside, in any case", () => {
  assert.match(weakness("alice2026!", "alice")!, /must not contain your username/);
  assert.match(weakness("xxALICExx", "alice")!, /username/);
  assert.equal(weakness("correct horse", "alice"), null);
});

Deno.test("checkPasswordPolicy - refuses a common password with a reason", () => {
  assert.match(weakness("Password123", "zed")!, /most common/);
});

appTest("POST /api/auth/register - a weak password is 400 weak_password", async (app) => {
  const client = new HttpClient(app.url);
  for (const password of ["password123", "my name is Carol"]) {
    const { status, body } = await client.json<{ error: { code: string; message: string } }>(
      "POST",
      "/api/auth/register",
      { json: { username: "carol", password } },
    );
    assert.equal(status, 400, password);
    assert.equal(body.error.code, "weak_password");
  }
  const fine = await client.request("POST", "/api/auth/register", {
    json: { username: "carol", password: "correct horse" },
  });
  await fine.body?.cancel();
  assert.equal(fine.status, 201);
});
