import assert from "node:assert/strict";
import postgres from "postgres";
import { openPostgresStore } from "../db/postgres/postgres_store.ts";
import { readMigrations } from "../db/postgres/migrate.ts";
import { BACKENDS, testDatabaseUrl } from "./helpers/backends.ts";
import { storeContract } from "./store_contract.ts";

storeContract(BACKENDS.find((backend) => backend.name === "postgres")!);

Deno.test("postgres migrations - applied once, even by instances starting together", async () => {
  const url = testDatabaseUrl();
  const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
  const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(url, { schema, max: 1 })));
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`SELECT version FROM ${
      admin(schema)
    }.schema_migrations ORDER BY version`;
    const expected = (await readMigrations()).map((m) => m.version);
    assert.deepEqual(rows.map((row) => row.version), expected);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
    await admin.end();
  }
});
