/**
 * db/postgres/transaction.ts on a real PostgreSQL: a pipelined transaction's failures roll it
 * back and leave its connection clean, deadlock victims run again, and the two postgres.js
 * 3.4.9 bugs around `reserve()` (porsager/postgres#1195, #1199) cost no request and no pool.
 * `transaction` (db/postgres/held_transaction.ts) commits, rolls back, and survives its backend
 * being terminated under a statement or between two, where `sql.begin` crashes the process
 * (a TypeError in a timer, porsager/postgres#1208: a test would fail on it as uncaught).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { isPostgresOutage } from "../db/postgres/outage.ts";
import { pipelinedRetrying, transaction } from "../db/postgres/transaction.ts";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import { eventually, within } from "./helpers/wait.ts";

/** A pool of `max` connections on a fresh schema with a table `t (n int primary key)`. */
async function withSchema(
  options: { max?: number; max_lifetime?: number },
  fn: (sql: postgres.Sql, admin: postgres.Sql) => Promise<void>,
): Promise<void> {
  const url = testDatabaseUrl();
  const schema = `test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin`CREATE SCHEMA ${admin(schema)}`;
  await admin`CREATE TABLE ${admin(schema)}.t (n int PRIMARY KEY)`;
  await admin`CREATE SEQUENCE ${admin(schema)}.tries`;
  const sql = postgres(url, {
    max: 1,
    ...options,
    onnotice: () => {},
    connection: { search_path: schema },
  });
  try {
    await fn(sql, admin);
  } finally {
    await sql.end({ timeout: 1 });
    await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
    await admin.end();
  }
}

Deno.test(
  "pipelinedRetrying - the statements' results, committed together",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql, admin) => {
      const [inserted, [row]] = await pipelinedRetrying(sql, (tx) =>
        [
          tx`INSERT INTO t VALUES (1), (2)`,
          tx<{ n: number }[]>`SELECT count(*)::int AS n FROM t`,
        ] as const);
      assert.equal(inserted.count, 2);
      assert.equal(row.n, 2);
      // Visible to another connection: committed.
      const [{ n }] = await admin`SELECT count(*)::int AS n FROM ${admin(`${schemaOf(sql)}.t`)}`;
      assert.equal(n, 2);
    }),
);

Deno.test(
  "pipelinedRetrying - a failed statement's error goes up, nothing is kept, the connection is clean",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql, admin) => {
      await assert.rejects(
        pipelinedRetrying(sql, (tx) => [
          tx`INSERT INTO t VALUES (1)`,
          tx`SELECT 1 / 0`,
          tx`INSERT INTO t VALUES (2)`,
        ]),
        (error: unknown) => error instanceof postgres.PostgresError && error.code === "22012",
      );
      const table = `${schemaOf(sql)}.t`;
      assert.deepEqual([...await admin`SELECT n FROM ${admin(table)}`], []);
      // The pool's one connection is idle, not in a transaction: an autocommit write is seen.
      await sql`INSERT INTO t VALUES (3)`;
      assert.deepEqual(
        (await admin`SELECT n FROM ${admin(table)}`).map((r) => r.n),
        [3],
      );
    }),
);

Deno.test(
  "pipelinedRetrying - a deadlock victim runs again",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql) => {
      // The first two attempts are chosen as victims (a sequence is not rolled back).
      const [, [row]] = await pipelinedRetrying(sql, (tx) =>
        [
          tx`DO $$ BEGIN
            IF nextval('tries') < 3 THEN RAISE EXCEPTION 'victim' USING ERRCODE = '40P01'; END IF;
          END $$`,
          tx<{ tries: number }[]>`SELECT currval('tries')::int AS tries`,
        ] as const);
      assert.equal(row.tries, 3);
    }),
);

Deno.test(
  "pipelinedRetrying - a connection terminated mid-transaction is not given back (postgres#1199)",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql, admin) => {
      const [{ pid }] = await sql`SELECT pg_backend_pid() AS pid`;
      const running = pipelinedRetrying(sql, (tx) => [tx`SELECT pg_sleep(5)`]);
      const failed = assert.rejects(running);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await admin`SELECT pg_terminate_backend(${pid})`;
      await failed;
      // postgres.js 3.4.9 hands the server's FATAL goodbye to the next query the pool runs.
      await sql`SELECT 1`.catch((error) => {
        if (!(error instanceof postgres.PostgresError && error.code === "57P01")) throw error;
      });
      // The pool reconnects and answers (released, the dead connection would throw in a timer).
      assert.deepEqual([...await sql`SELECT 1 AS one`], [{ one: 1 }]);
      const [, [row]] = await pipelinedRetrying(sql, (tx) =>
        [
          tx`INSERT INTO t VALUES (1)`,
          tx<{ n: number }[]>`SELECT count(*)::int AS n FROM t`,
        ] as const);
      assert.equal(row.n, 1);
    }),
);

Deno.test(
  "pipelinedRetrying - a reserve postgres.js loses (postgres#1195) runs the usual way",
  needs(POSTGRES_BACKEND),
  () =>
    // max_lifetime: the busy connection is replaced after 1 s, while the reserve waits for it.
    withSchema({ max_lifetime: 1 }, async (sql) => {
      await sql`SELECT 1`;
      const busy = sql`SELECT pg_sleep(1.2)`.execute();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [, [row]] = await pipelinedRetrying(sql, (tx) =>
        [
          tx`INSERT INTO t VALUES (1)`,
          tx<{ n: number }[]>`SELECT count(*)::int AS n FROM t`,
        ] as const);
      assert.equal(row.n, 1);
      await busy;
    }),
);

Deno.test(
  "transaction - the work's result, committed; a failure rolls back and the connection is reused",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql) => {
      const n = await transaction(sql, async (tx) => {
        await tx`INSERT INTO t VALUES (1)`;
        const [{ n }] = await tx<{ n: number }[]>`SELECT count(*)::int AS n FROM t`;
        return n;
      });
      assert.equal(n, 1);
      await assert.rejects(
        transaction(sql, async (tx) => {
          await tx`INSERT INTO t VALUES (2)`;
          throw new Error("the work's own error");
        }),
        /the work's own error/,
      );
      await assert.rejects(
        transaction(sql, async (tx) => {
          await tx`INSERT INTO t VALUES (3)`;
          await tx`INSERT INTO t VALUES (1)`; // a duplicate key: PostgreSQL's error
        }),
        (error) => error instanceof postgres.PostgresError && error.code === "23505",
      );
      // max 1: the one connection came back each time, outside any transaction.
      assert.deepEqual([...await sql`SELECT n FROM t ORDER BY n`].map((row) => row.n), [1]);
    }),
);

Deno.test(
  "transaction - a backend terminated under a statement: an outage error, the pool carries on",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql, admin) => {
      const { pid, failed } = await transactionOnBackend(sql, async (tx) => {
        await tx`INSERT INTO t VALUES (1)`;
        await tx`SELECT pg_sleep(5)`;
      });
      await admin`SELECT pg_terminate_backend(${pid})`;
      await failed;
      await afterStrayTimers();
      await answersAgain(sql);
      await transaction(sql, (tx) => tx`INSERT INTO t VALUES (2)`);
      assert.deepEqual([...await sql`SELECT n FROM t ORDER BY n`].map((row) => row.n), [2]);
    }),
);

Deno.test(
  "transaction - a backend terminated between two statements: the next is refused, never run outside it",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql, admin) => {
      let resume = () => {};
      const paused = new Promise<void>((resolve) => resume = resolve);
      const { pid, failed } = await transactionOnBackend(sql, async (tx) => {
        await tx`INSERT INTO t VALUES (1)`;
        await paused; // idle in transaction while its backend goes
        await tx`INSERT INTO t VALUES (2)`;
      });
      await admin`SELECT pg_terminate_backend(${pid})`;
      await backendGone(admin, pid);
      // Let postgres.js see the socket close, and give the pool a reason to reconnect it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await answersAgain(sql);
      resume();
      await failed;
      await afterStrayTimers();
      // Neither row: the first died with its transaction, the second was never written anywhere.
      assert.deepEqual([...await sql`SELECT n FROM t`], []);
      await transaction(sql, (tx) => tx`INSERT INTO t VALUES (3)`);
      assert.deepEqual([...await sql`SELECT n FROM t`].map((row) => row.n), [3]);
    }),
);

Deno.test(
  "transaction - after a backend killed under a statement, its connection serves the next transactions",
  needs(POSTGRES_BACKEND),
  () =>
    withSchema({}, async (sql, admin) => {
      const { pid, failed } = await transactionOnBackend(sql, (tx) => tx`SELECT pg_sleep(5)`);
      await admin`SELECT pg_terminate_backend(${pid})`;
      await failed;
      // postgres.js keeps the dead backend's FATAL for the connection's next session: the first
      // statement there gets it (one failed BEGIN, an outage error the app answers with 503);
      // given to a reserve() instead, it would leave the pool's one connection unused forever,
      // and the transactions below would wait for one.
      await within(
        transaction(sql, (tx) => tx`INSERT INTO t VALUES (1)`).catch((error) => {
          if (!isPostgresOutage(error)) throw error;
          return transaction(sql, (tx) => tx`INSERT INTO t VALUES (1)`);
        }),
        "the first transaction after the kill",
        5_000,
      );
      await within(
        transaction(sql, (tx) => tx`INSERT INTO t VALUES (2)`),
        "the second transaction after the kill",
        5_000,
      );
      await within(
        pipelinedRetrying(sql, (tx) => [tx`INSERT INTO t VALUES (3)`]),
        "a pipelined transaction after them",
        5_000,
      );
      assert.deepEqual([...await sql`SELECT n FROM t ORDER BY n`].map((row) => row.n), [1, 2, 3]);
    }),
);

/**
 * Starts a transaction that reads its backend's pid, then runs `work`: the pid once known, and
 * the transaction's expected end (an outage error: the tests kill that backend).
 */
async function transactionOnBackend(
  sql: postgres.Sql,
  work: (tx: postgres.Sql) => Promise<unknown>,
): Promise<{ pid: number; failed: Promise<void> }> {
  let pid = 0;
  const running = transaction(sql, async (tx) => {
    [{ pid }] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    await work(tx);
  });
  const failed = assert.rejects(running, isPostgresOutage);
  await eventually(() => pid !== 0, "the transaction started");
  return { pid, failed };
}

/** Waits until PostgreSQL no longer lists the backend `pid`. */
async function backendGone(admin: postgres.Sql, pid: number): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const [{ n }] = await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE pid = ${pid}`;
    if (n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`backend ${pid} still listed after 5 s`);
}

/** A few turns of timers: where postgres.js 3.4.9 would throw its uncaught TypeError. */
async function afterStrayTimers(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The pool answers a query (postgres.js 3.4.9 hands the FATAL goodbye to one next query). */
async function answersAgain(sql: postgres.Sql): Promise<void> {
  await sql`SELECT 1`.catch((error) => {
    if (!(error instanceof postgres.PostgresError && error.code === "57P01")) throw error;
  });
  assert.deepEqual([...await sql`SELECT 1 AS one`], [{ one: 1 }]);
}

/** The schema a pool was opened on (its search_path). */
function schemaOf(sql: postgres.Sql): string {
  return (sql.options.connection as { search_path: string }).search_path;
}
