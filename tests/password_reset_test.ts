/** lib/accounts/password_reset.ts: reset tokens, their stored hash and their expiry. */
import assert from "node:assert/strict";
import {
  hashResetToken,
  isResetTokenShaped,
  isResetUsable,
  issueResetToken,
  resetUrl,
} from "../lib/accounts/password_reset.ts";
import { PASSWORD_RESET_TTL_MS } from "../lib/limits.ts";

Deno.test("issueResetToken - a 43-character base64url token, its hash, an hour to live", async () => {
  const now = Date.parse("2026-03-04T05:06:07.000Z");
  const issued = await issueResetToken(now);
  assert.match(issued.token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(isResetTokenShaped(issued.token));
  assert.equal(issued.tokenHash, await hashResetToken(issued.token));
  assert.match(issued.tokenHash, /^[0-9a-f]{64}$/);
  assert.notEqual(issued.tokenHash, issued.token);
  assert.equal(issued.expiresAt.getTime(), now + PASSWORD_RESET_TTL_MS);
  assert.equal(PASSWORD_RESET_TTL_MS, 60 * 60 * 1000);
});

Deno.test("issueResetToken - tokens never repeat", async () => {
  const tokens = new Set<string>();
  for (let i = 0; i < 200; i++) tokens.add((await issueResetToken(0)).token);
  assert.equal(tokens.size, 200);
});

Deno.test("hashResetToken - the SHA-256 of the token, in hex", async () => {
  assert.equal(
    await hashResetToken("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("isResetUsable - until the expiry time, not at it", () => {
  const expiresAt = new Date(10_000);
  assert.equal(isResetUsable(expiresAt, 9_999), true);
  assert.equal(isResetUsable(expiresAt, 10_000), false);
  assert.equal(isResetUsable(expiresAt, 10_001), false);
});

Deno.test("isResetTokenShaped - refuses anything a token cannot be", () => {
  for (const raw of [undefined, 42, "", "short", "x".repeat(44), "+".repeat(43), "=".repeat(43)]) {
    assert.equal(isResetTokenShaped(raw), false, String(raw));
  }
});

Deno.test("resetUrl - the reset page on the given origin", () => {
  assert.equal(
    resetUrl("https://chat.example.com", "t".repeat(43)),
    `https://chat.example.com/password-reset/${"t".repeat(43)}`,
  );
});
