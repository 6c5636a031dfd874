import assert from "node:assert/strict";
import { Invalid } from "../lib/errors.ts";
import {
  characterCount,
  checkPassword,
  cleanBio,
  cleanDisplayName,
  normalizeUsername,
} from "../lib/text.ts";

Deno.test("normalizeUsername - lowercases and trims, then checks the pattern", () => {
  assert.equal(normalizeUsername(" Alice_B.C-9 "), "alice_b.c-9");
  for (const bad of ["ab", "a".repeat(33), "with space", "ünï", "", "a/b", null, 3]) {
    assert.throws(() => normalizeUsername(bad), Invalid, String(bad));
  }
});

Deno.test("checkPassword - 8 to 128 code points, any content", () => {
  assert.equal(checkPassword("12345678"), "12345678");
  assert.equal(checkPassword("🔑".repeat(8)), "🔑".repeat(8), "emoji count as one character");
  assert.throws(() => checkPassword("1234567"), Invalid);
  assert.throws(() => checkPassword("x".repeat(129)), Invalid);
  assert.throws(() => checkPassword("\ud800".repeat(10)), Invalid, "lone surrogates");
});

Deno.test("cleanDisplayName - NFC, trimmed, one line, no controls or bidi overrides", () => {
  assert.equal(cleanDisplayName("  Cafe\u0301 "), "Café");
  for (
    const bad of ["", "   ", "a\nb", "a\u0000b", "evil\u202Etxt", "\u2066x", "x".repeat(65), 1]
  ) {
    assert.throws(() => cleanDisplayName(bad), Invalid, JSON.stringify(bad));
  }
});

Deno.test("cleanBio - multi-line, normalised line ends, up to 500 characters", () => {
  assert.equal(cleanBio("a\r\nb\rc\n"), "a\nb\nc");
  assert.equal(cleanBio(""), "");
  assert.equal(cleanBio("é".repeat(500)).length, 500);
  assert.throws(() => cleanBio("é".repeat(501)), Invalid);
  assert.throws(() => cleanBio("\u001b[31mred"), Invalid);
});

Deno.test("characterCount - counts code points", () => {
  assert.equal(characterCount("a🎉b"), 3);
});
