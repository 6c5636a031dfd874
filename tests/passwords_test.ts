import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "../lib/passwords.ts";
import { PasswordWorkerPool } from "../lib/password_worker_pool.ts";

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

Deno.test("PasswordWorkerPool - hashes and checks on its own thread, like this thread does", async () => {
  const pool = new PasswordWorkerPool(4);
  try {
    const fromPool = await pool.hash("correct horse");
    assert.match(fromPool, /^\$2[aby]\$04\$/);
    assert.ok(await verifyPassword("correct horse", fromPool));
    assert.ok(await pool.verify("correct horse", fromPool));
    assert.ok(!(await pool.verify("correct horsE", fromPool)));
    assert.ok(await pool.verify("staple", await hashPassword("staple", 4)));
    // Many at once: each answer goes to its own caller.
    const words = Array.from({ length: 8 }, (_, i) => `word ${i}`);
    const hashes = await Promise.all(words.map((word) => pool.hash(word)));
    const checks = await Promise.all(
      words.map((word, i) => pool.verify(word, hashes[(i + 1) % 8])),
    );
    assert.deepEqual(checks, words.map(() => false));
    assert.deepEqual(
      await Promise.all(words.map((w, i) => pool.verify(w, hashes[i]))),
      words.map(() => true),
    );
  } finally {
    pool.close();
  }
});

Deno.test("PasswordWorkerPool - close fails what is still pending", async () => {
  const pool = new PasswordWorkerPool(12);
  const pending = pool.hash("slow at cost 12");
  pool.close();
  await assert.rejects(pending, /closing/);
});

Deno.test("PasswordWorkerPool - a worker that cannot run: hashing goes on on this thread", async () => {
  const broken = "data:application/javascript,throw new Error('no workers here')";
  const pool = new PasswordWorkerPool(4, broken);
  try {
    const hash = await pool.hash("correct horse");
    assert.ok(await verifyPassword("correct horse", hash));
    assert.ok(await pool.verify("correct horse", hash));
    assert.ok(!(await pool.verify("wrong", hash)));
  } finally {
    pool.close();
  }
});
