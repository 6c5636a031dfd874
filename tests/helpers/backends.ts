/**
 * The storage backends every store-dependent test runs against: a real Deno KV file and a real
 * PostgreSQL database (TEST_DATABASE_URL), each test getting a fresh, isolated instance.
 */
import { openKvStore } from "../../db/kv/kv_store.ts";
import { openPostgresStore } from "../../db/postgres/postgres_store.ts";
import type { Store } from "../../db/store.ts";
import postgres from "postgres";

/** A store opened for one test, and how to throw it away. */
export interface TestStore {
  store: Store;
  /** Closes the store and opens the same data again, as a restarted server would. */
  reopen(): Promise<Store>;
  /** Opens the same data a second time, as another app instance would (closed by dispose). */
  openAnother(): Promise<Store>;
  /** The PostgreSQL URL for the app's bus (postgres only). */
  databaseUrl?: string;
  /** A NOTIFY channel of this test's own, so parallel tests do not hear each other. */
  busChannel: string;
  dispose(): Promise<void>;
}

export interface Backend {
  name: "kv" | "postgres";
  open(): Promise<TestStore>;
}

/** The PostgreSQL URL for tests, or a failure that says how to provide one. */
export function testDatabaseUrl(): string {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) {
    throw new Error(
      "TEST_DATABASE_URL is not set. PostgreSQL tests need a database they may write to, e.g.\n" +
        "  createdb -h 127.0.0.1 -U postgres salon_test\n" +
        "  TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/salon_test deno task test\n" +
        "(.ci/run does this for you.)",
    );
  }
  return url;
}

/** A TestStore over any way of opening the same data; `cleanup` runs after every handle closed. */
async function testStore(
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  shared: Pick<TestStore, "databaseUrl" | "busChannel">,
): Promise<TestStore> {
  let store = await open();
  const others: Store[] = [];
  return {
    ...shared,
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      return store = await open();
    },
    async openAnother() {
      const other = await open();
      others.push(other);
      return other;
    },
    async dispose() {
      await Promise.all([store, ...others].map((handle) => handle.close()));
      await cleanup();
    },
  };
}

async function openTempKv(): Promise<TestStore> {
  const dir = await Deno.makeTempDir({ prefix: "salon-kv-" });
  return await testStore(
    () => openKvStore(`${dir}/test.kv`),
    () => Deno.remove(dir, { recursive: true }),
    { busChannel: "unused" },
  );
}

async function openTempPostgres(): Promise<TestStore> {
  const url = testDatabaseUrl();
  const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
  return await testStore(
    () => openPostgresStore(url, { schema, max: 4 }),
    async () => {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
      await admin.end();
    },
    { databaseUrl: url, busChannel: schema },
  );
}

export const BACKENDS: Backend[] = [
  { name: "kv", open: openTempKv },
  { name: "postgres", open: openTempPostgres },
];
