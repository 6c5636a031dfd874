/** lib/accounts/email_address.ts: the address users may give for reset links. */
import assert from "node:assert/strict";
import { cleanEmail } from "../lib/accounts/email_address.ts";
import { Invalid } from "../lib/errors.ts";

Deno.test("cleanEmail - keeps a trimmed address; null or empty means none", () => {
  assert.equal(cleanEmail("  ada@example.com "), "ada@example.com");
  assert.equal(cleanEmail("a.b+tag@mail.example.co.uk"), "a.b+tag@mail.example.co.uk");
  assert.equal(cleanEmail(""), null);
  assert.equal(cleanEmail(null), null);
});

Deno.test("cleanEmail - refuses what is not an address, naming the field", () => {
  for (
    const raw of [
      42,
      "ada",
      "ada@",
      "@example.com",
      "ada@example",
      "a da@example.com",
      "ada@exa\nmple.com",
      `${"a".repeat(250)}@example.com`,
      "a@b@example.com",
    ]
  ) {
    assert.throws(
      () => cleanEmail(raw),
      (error: unknown) =>
        error instanceof Invalid && error.code === "invalid_email" && error.field === "email",
      String(raw),
    );
  }
});
