import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "../lib/passwords.ts";

Deno.test("passwords - verify the right one only", async () => {
  const hash = await hashPassword("correct horse", 4);
  assert.match(hash, /^\$2[aby]\$04\$/);
  assert.ok(await verifyPassword("correct horse", hash));
  assert.ok(!(await verifyPassword("correct horsE", hash)));
});

Deno.test("passwords - every character counts, beyond bcrypt's 72 bytes", async () => {
  const base = "é".repeat(60); // 120 bytes of UTF-8
  const hash = await hashPassword(`${base}a`, 4);
  assert.ok(!(await verifyPassword(`${base}b`, hash)));
});
