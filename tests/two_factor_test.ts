import assert from "node:assert/strict";
import { URI } from "otpauth";
import {
  equalInConstantTime,
  findRecoveryCodeHash,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  isRecoveryCode,
  matchTotp,
  normalizeCode,
  RECOVERY_CODE_COUNT,
  totpCodeAt,
  totpStep,
  totpUrl,
} from "../lib/accounts/two_factor.ts";

/** RFC 6238's SHA-1 seed, the ASCII "12345678901234567890", in base32. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/** RFC 6238 appendix B (SHA-1): time in seconds → the 8-digit code, of which we use 6. */
const RFC_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const AT = Date.parse("2026-12-01T12:00:10.000Z");
const PERIOD_MS = 30_000;

Deno.test("matchTotp - accepts RFC 6238's SHA-1 codes at their times (6 digits)", () => {
  for (const [seconds, code] of RFC_VECTORS) {
    const sixDigits = code.slice(-6);
    const step = totpStep(seconds * 1000);
    assert.equal(totpCodeAt(RFC_SECRET, step), sixDigits, `at ${seconds} s`);
    assert.equal(matchTotp(RFC_SECRET, sixDigits, seconds * 1000, null), step, `at ${seconds} s`);
  }
});

Deno.test("matchTotp - accepts one step of drift either way, not two", () => {
  const step = totpStep(AT);
  for (const drift of [-1, 0, 1]) {
    const code = totpCodeAt(RFC_SECRET, step + drift);
    assert.equal(matchTotp(RFC_SECRET, code, AT, null), step + drift, `drift ${drift}`);
  }
  for (const drift of [-2, 2]) {
    const code = totpCodeAt(RFC_SECRET, step + drift);
    assert.equal(matchTotp(RFC_SECRET, code, AT, null), null, `drift ${drift}`);
  }
});

Deno.test("matchTotp - refuses a code of a step at or before the last one used", () => {
  const step = totpStep(AT);
  const code = totpCodeAt(RFC_SECRET, step);
  assert.equal(matchTotp(RFC_SECRET, code, AT, step - 1), step);
  assert.equal(matchTotp(RFC_SECRET, code, AT, step), null, "the same code again");
  // Half a minute later the code is still within the drift, yet already used.
  assert.equal(matchTotp(RFC_SECRET, code, AT + PERIOD_MS, step), null);
  const previous = totpCodeAt(RFC_SECRET, step - 1);
  assert.equal(matchTotp(RFC_SECRET, previous, AT, step), null, "an older code");
  const next = totpCodeAt(RFC_SECRET, step + 1);
  assert.equal(matchTotp(RFC_SECRET, next, AT, step), step + 1);
});

Deno.test("matchTotp - refuses another secret's code and malformed codes", () => {
  const other = generateTotpSecret();
  const step = totpStep(AT);
  assert.equal(matchTotp(RFC_SECRET, totpCodeAt(other, step), AT, null), null);
  const right = totpCodeAt(RFC_SECRET, step);
  for (const bad of ["", right.slice(1), `${right}0`, "abcdef", ` ${right}`, "12345x"]) {
    assert.equal(matchTotp(RFC_SECRET, bad, AT, null), null, JSON.stringify(bad));
  }
});

Deno.test("generateTotpSecret - 20 random bytes in base32, new each time", () => {
  const secrets = new Set(Array.from({ length: 20 }, generateTotpSecret));
  assert.equal(secrets.size, 20);
  for (const secret of secrets) assert.match(secret, /^[A-Z2-7]{32}$/);
});

Deno.test("totpUrl - an otpauth URL naming issuer, account, SHA-1, 6 digits and 30 s", () => {
  const url = totpUrl(RFC_SECRET, "alice", "Salon");
  assert.match(url, /^otpauth:\/\/totp\/Salon:alice\?/);
  const parsed = URI.parse(url);
  assert.equal(parsed.issuer, "Salon");
  assert.equal(parsed.label, "alice");
  assert.equal(parsed.secret.base32, RFC_SECRET);
  assert.equal(parsed.algorithm, "SHA1");
  assert.equal(parsed.digits, 6);
  assert.ok("period" in parsed && parsed.period === 30);
});

Deno.test("generateRecoveryCodes - ten distinct codes of the form xxxx-xxxx-xxxx", () => {
  const codes = generateRecoveryCodes();
  assert.equal(codes.length, RECOVERY_CODE_COUNT);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) {
    assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    assert.ok(isRecoveryCode(normalizeCode(code)), code);
  }
});

Deno.test("normalizeCode - drops spaces and hyphens, ignores case, reads O as 0 and I, L as 1", () => {
  assert.equal(normalizeCode(" 123 456 "), "123456");
  assert.equal(normalizeCode("AB0C-D1EF-GH2J"), "ab0cd1efgh2j");
  assert.equal(normalizeCode("abOc-dIef-gL2j"), "ab0cd1efg12j");
});

Deno.test("hashRecoveryCode - SHA-256 hex of the normalised code, the same however typed", async () => {
  const hash = await hashRecoveryCode("abcd-efgh-jkmn");
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(await hashRecoveryCode(" ABCD EFGH JKMN"), hash);
  assert.notEqual(await hashRecoveryCode("abcd-efgh-jkmp"), hash);
  // SHA-256("abcdefghjkmn"), computed independently.
  const expected = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abcdefghjkmn")),
  );
  assert.equal(hash, [...expected].map((b) => b.toString(16).padStart(2, "0")).join(""));
});

Deno.test("findRecoveryCodeHash - the index of the matching hash, -1 when none", async () => {
  const codes = generateRecoveryCodes();
  const hashes = await Promise.all(codes.map(hashRecoveryCode));
  assert.equal(findRecoveryCodeHash(hashes, await hashRecoveryCode(codes[3])), 3);
  assert.equal(findRecoveryCodeHash(hashes, await hashRecoveryCode(codes[9].toUpperCase())), 9);
  assert.equal(findRecoveryCodeHash(hashes, await hashRecoveryCode("0000-0000-0000")), -1);
  assert.equal(findRecoveryCodeHash([], hashes[0]), -1);
});

Deno.test("equalInConstantTime - equal only for the same characters and length", () => {
  assert.equal(equalInConstantTime("123456", "123456"), true);
  assert.equal(equalInConstantTime("123456", "123457"), false);
  assert.equal(equalInConstantTime("123456", "12345"), false);
  assert.equal(equalInConstantTime("", ""), true);
});
