import assert from "node:assert/strict";
import { isKvOutage, isLocked } from "../db/kv/locked.ts";

Deno.test("isLocked: SQLite's busy and locked answers are waited out, other errors are not", () => {
  // The texts Deno KV's SQLite backend gives for SQLITE_BUSY and SQLITE_LOCKED.
  assert.equal(isLocked(new TypeError("database is locked")), true);
  assert.equal(isLocked(new Error("database table is locked")), true);
  assert.equal(isLocked(new TypeError("Value too large (max 65536 bytes)")), false);
  assert.equal(isLocked(new Error("a key named locked")), false);
  assert.equal(isLocked(undefined), false);
});

Deno.test("isKvOutage - a lock past the retries and a closed database are outages", () => {
  assert.equal(isKvOutage(new TypeError("database is locked")), true);
  assert.equal(isKvOutage(new Error("database table is locked")), true);
  assert.equal(isKvOutage(new Deno.errors.BadResource("Bad resource ID")), true);
  assert.equal(isKvOutage(new TypeError("Value too large (max 65536 bytes)")), false);
  assert.equal(isKvOutage(new RangeError("invalid key")), false);
});
