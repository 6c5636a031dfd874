/**
 * The storage backends every store-dependent test runs against: a real Deno KV file and a real
 * PostgreSQL database (TEST_DATABASE_URL), each test getting a fresh, isolated instance. Without
 * TEST_DATABASE_URL the PostgreSQL tests are registered as ignored (see `needs`), so the summary
 * counts them and CI, which refuses ignored tests, still fails.
 */
import { openKvStore } from "../../db/kv/kv_store.ts";
import { openPostgresStore } from "../../db/postgres/postgres_store.ts";
import type { Store } from "../../db/store.ts";
import postgres from "postgres";
import { sayOncePerRun } from "./say_once.ts";

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

/** A kind of store tests run on, and how to open a fresh one. */
export interface Backend {
  name: "kv" | "postgres";
  /** False when this run cannot reach the backend (PostgreSQL without TEST_DATABASE_URL). */
  available: boolean;
  open(): Promise<TestStore>;
}

/** What a developer runs to give the PostgreSQL tests a database of their own. */
const ENABLE_POSTGRES = "`createdb -h 127.0.0.1 -U postgres salon_test` then " +
  "`TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/salon_test deno test -P`";
/** The one line a run without PostgreSQL prints. */
const POSTGRES_HINT =
  `PostgreSQL tests ignored: TEST_DATABASE_URL is not set. To run them: ${ENABLE_POSTGRES}`;

/** The PostgreSQL URL for tests, or a failure that says how to provide one. */
export function testDatabaseUrl(): string {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) {
    throw new Error(
      "TEST_DATABASE_URL is not set: PostgreSQL tests need a database they may write to. " +
        ENABLE_POSTGRES,
    );
  }
  return url;
}

/**
 * `Deno.test` options for a test that runs on `backends`: ignored when one of them is not
 * available, with the hint printed the first time in this run.
 *
 * @example
 * ```ts
 * Deno.test(`chat - a message arrives (${backend.name})`, needs(backend), async () => {});
 * ```
 */
export function needs(...backends: Backend[]): { ignore: boolean } {
  const ignore = backends.some((backend) => !backend.available);
  if (ignore) sayOncePerRun("POSTGRES_HINT", POSTGRES_HINT);
  return { ignore };
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

/** A fresh Deno KV file per test, in a temporary directory: always available. */
export const KV_BACKEND: Backend = { name: "kv", available: true, open: openTempKv };
/** A fresh schema per test in the TEST_DATABASE_URL database, when one is given. */
export const POSTGRES_BACKEND: Backend = {
  name: "postgres",
  available: Boolean(Deno.env.get("TEST_DATABASE_URL")),
  open: openTempPostgres,
};

/** Every backend, KV first: register a test per entry with `needs(backend)`. */
export const BACKENDS: Backend[] = [KV_BACKEND, POSTGRES_BACKEND];

/** Registers `name` as one test on a freshly opened store of `backend`, disposed afterwards. */
export function storeTest(
  backend: Backend,
  name: string,
  fn: (t: TestStore) => Promise<void>,
): void {
  Deno.test(name, needs(backend), async () => {
    const opened = await backend.open();
    try {
      await fn(opened);
    } finally {
      await opened.dispose();
    }
  });
}
