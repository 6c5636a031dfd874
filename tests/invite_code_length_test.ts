/** Invite codes far longer than any real one are refused as invalid, on both stores. */
import assert from "node:assert/strict";
import { INVITE_CODE_INPUT_MAX } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { room } from "./helpers/people.ts";

// Far past INVITE_CODE_INPUT_MAX, and past what Deno KV takes as a key.
const LONG_CODE = "x".repeat(5_000);

appTest("invite page - a very long code is an invalid invite (404)", async (app) => {
  assert.ok(LONG_CODE.length > INVITE_CODE_INPUT_MAX);
  const page = await fetch(`${app.url}/invite/${LONG_CODE}`);
  const html = await page.text();
  assert.equal(page.status, 404);
  assert.match(html, /invalid or has expired/);
});

appTest("POST /api/invites/:code/join - a very long code is invite_invalid (404)", async (app) => {
  const { outsider } = await room(app);
  const joined = await outsider.http.json<{ error: { code: string } }>(
    "POST",
    `/api/invites/${LONG_CODE}/join`,
  );
  assert.equal(joined.status, 404);
  assert.equal(joined.body.error.code, "invite_invalid");
});
