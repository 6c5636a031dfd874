/**
 * db/postgres/transaction.ts on a real PostgreSQL: a pipelined transaction's failures roll it
 * back and leave its connection clean, deadlock victims run again, and the two postgres.js
 * 3.4.9 bugs around `reserve()` (porsager/postgres#1195, #1199) cost no request and no pool.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { pipelinedRetrying } from "../db/postgres/transaction.ts";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";

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

/** The schema a pool was opened on (its search_path). */
function schemaOf(sql: postgres.Sql): string {
  return (sql.options.connection as { search_path: string }).search_path;
}
