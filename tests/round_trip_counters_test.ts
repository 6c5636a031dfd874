/**
 * The round-trip counters of the `ready` benchmark (bench/ready_round_trips.ts): the counting
 * Deno KV handle and Store wrapper (bench/kv_call_counter.ts) over a real KV, and the counting
 * proxy in front of a real PostgreSQL (bench/pg_wire_counter.ts).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { countingCalls, countingKv, difference, newTally } from "../bench/kv_call_counter.ts";
import { startPgWireCounter } from "../bench/pg_wire_counter.ts";
import { KvStore, openKvStore } from "../db/kv/kv_store.ts";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";

Deno.test("countingKv - counts each call by operation and key prefix, results unchanged", async () => {
  const tally = newTally();
  const kv = countingKv(await Deno.openKv(":memory:"), tally);
  try {
    await kv.set(["a", 1], "one");
    const committed = await kv.atomic()
      .check({ key: ["b", 1], versionstamp: null })
      .set(["b", 1], "two")
      .commit();
    assert.equal(committed.ok, true);
    assert.equal((await kv.get(["a", 1])).value, "one");
    const many = await kv.getMany([["a", 1], ["b", 1]]);
    assert.deepEqual(many.map((entry) => entry.value), ["one", "two"]);
    const listed = [];
    for await (const entry of kv.list({ prefix: ["b"] })) listed.push(entry.value);
    assert.deepEqual(listed, ["two"]);
    assert.deepEqual(
      Object.fromEntries(tally.snapshot()),
      { "set a": 1, "atomic commit": 1, "get a": 1, "getMany a,b": 1, "list b": 1 },
    );
  } finally {
    kv.close();
  }
});

Deno.test("countingCalls - counts a store's method calls, read-only methods and instanceof kept", async () => {
  const tally = newTally();
  const real = await openKvStore(":memory:");
  const store = countingCalls(real, tally);
  try {
    assert.ok(store instanceof KvStore);
    assert.equal(await store.findUserById("nobody"), null);
    assert.equal(await store.lastSeq("no-channel"), 0);
    assert.equal(await store.lastSeq("no-channel"), 0);
    assert.deepEqual(Object.fromEntries(tally.snapshot()), { findUserById: 1, lastSeq: 2 });
  } finally {
    await real.close();
  }
});

Deno.test(
  "pg wire counter - one round trip per query, labelled by its SQL, LISTEN's connection apart",
  needs(POSTGRES_BACKEND),
  async () => {
    const counter = startPgWireCounter(testDatabaseUrl());
    const sql = postgres(counter.url, { max: 1, onnotice: () => {} });
    const listener = postgres(counter.url, { max: 1, onnotice: () => {} });
    try {
      await sql`SELECT 1 AS warm_up`;
      const before = counter.snapshot();
      for (let i = 0; i < 3; i++) await sql`SELECT ${i}::int AS n`;
      await sql.unsafe("SELECT 2 AS simple", [], { prepare: false });
      assert.deepEqual(Object.fromEntries(difference(counter.snapshot(), before)), {
        "SELECT $1::int AS n": 3,
        "SELECT 2 AS simple": 1,
      });
      const busBefore = counter.busRoundTrips();
      await listener.listen("round_trip_counter_test", () => {});
      assert.ok(counter.busRoundTrips() > busBefore, "LISTEN counted on its own connection");
      assert.deepEqual(
        Object.fromEntries(difference(counter.snapshot(), before)),
        { "SELECT $1::int AS n": 3, "SELECT 2 AS simple": 1 },
        "the LISTEN connection stays out of the snapshot",
      );
    } finally {
      await sql.end();
      await listener.end();
      counter.close();
    }
  },
);
