/** db/outage_boundary.ts and the PostgreSQL outage rule: where driver errors stop. */
import assert from "node:assert/strict";
import { isKvOutage } from "../db/kv/locked.ts";
import { guardOutages } from "../db/outage_boundary.ts";
import { isPostgresOutage } from "../db/postgres/outage.ts";
import { isStoreUnavailable, StoreUnavailable } from "../db/unavailable.ts";

/** A store-shaped class whose one method fails with the error it is given. */
class Failing {
  #calls = 0;
  constructor(readonly error: unknown) {
    guardOutages(this, isKvOutage);
  }
  read(): Promise<number> {
    this.#calls++;
    return Promise.reject(this.error);
  }
  get calls() {
    return this.#calls;
  }
}

Deno.test("guardOutages - an outage leaves the store as StoreUnavailable, with its cause", async () => {
  const locked = new Error("database table is locked");
  const store = new Failing(locked);
  const error = await store.read().catch((error) => error);
  assert.ok(error instanceof StoreUnavailable);
  assert.ok(isStoreUnavailable(error));
  assert.equal(error.cause, locked);
  assert.equal(store.calls, 1);
  assert.ok(store instanceof Failing);
});

Deno.test("guardOutages - any other error leaves the store as it is", async () => {
  const bug = new TypeError("not a function");
  await assert.rejects(new Failing(bug).read(), (error) => error === bug);
  assert.equal(isStoreUnavailable(bug), false);
});

Deno.test("isPostgresOutage - connection errors and SQLSTATE 57P0x/08xxx only", () => {
  for (const code of ["ECONNREFUSED", "CONNECTION_ENDED", "57P01", "57P03", "08006", "08001"]) {
    assert.equal(isPostgresOutage(Object.assign(new Error(code), { code })), true, code);
  }
  assert.equal(
    isPostgresOutage(Object.assign(new Error("reset"), { name: "ConnectionReset" })),
    true,
  );
  for (const code of ["23505", "42P01", "57014", "40P01"]) {
    assert.equal(isPostgresOutage(Object.assign(new Error(code), { code })), false, code);
  }
  assert.equal(isPostgresOutage(new Error("database is locked")), false);
  assert.equal(isPostgresOutage(null), false);
});
