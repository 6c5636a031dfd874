/**
 * KV sessions stored before the per-user index (and before userAgent/lastSeenAt) still show in
 * the user's list and are revoked with the others, after the store has been opened once.
 */
import assert from "node:assert/strict";
import { openKvStore } from "../db/kv/kv_store.ts";

Deno.test("KvStore - a session stored before the user index is listed and revocable", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/legacy.kv`;
  const now = Date.now();
  const legacy = {
    id: crypto.randomUUID(),
    userId: "user-1",
    createdAt: new Date(now - 1000),
    expiresAt: new Date(now + 60_000),
  };
  const kv = await Deno.openKv(path);
  await kv.set(["sessions", legacy.id], legacy, { expireIn: 60_000 });
  kv.close();

  const store = await openKvStore(path);
  try {
    const expected = { ...legacy, userAgent: "", lastSeenAt: legacy.createdAt };
    assert.deepEqual(await store.findSession(legacy.id), expected);
    assert.deepEqual(await store.listSessionsOf("user-1"), [expected]);
    assert.deepEqual(await store.deleteSessionsOf("user-1"), [legacy.id]);
    assert.equal(await store.findSession(legacy.id), null);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
