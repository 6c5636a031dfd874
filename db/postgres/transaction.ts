/**
 * Transactions that run again when PostgreSQL aborts them as a deadlock's victim (40P01): a
 * deletion's cascade locks rows in its own order, so a write racing it can deadlock with it (the
 * contract's "writes racing deleteServer" case); the victim wrote nothing and may simply run again.
 *
 * `pipelinedRetrying` is the same for a transaction whose statements do not depend on each
 * other's results, in one round trip instead of three (see there).
 */
import type { ReservedSql, Sql } from "postgres";
import { POSTGRES_RESERVE_WAIT_MS } from "../../lib/limits.ts";
import { guardedBegin, HeldConnection, reserveGuarded } from "./held_transaction.ts";
import { isDeadlock } from "./rows.ts";

/** How many times a transaction chosen as a deadlock's victim runs before its error goes up. */
const DEADLOCK_ATTEMPTS = 5;

/** Runs `work` in a transaction, again after a deadlock, up to DEADLOCK_ATTEMPTS. */
export async function beginRetrying<T>(
  sql: Sql,
  work: (tx: Sql) => Promise<T>,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await transaction(sql, work);
    } catch (error) {
      if (!isDeadlock(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}

/**
 * Runs `work` in a transaction: `sql.begin`, guarded against the ways postgres.js 3.4.9 crashes
 * the process or runs a statement outside it when the backend dies
 * (db/postgres/held_transaction.ts).
 */
export function transaction<T>(sql: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  return guardedBegin(sql, work);
}

/** A query not yet sent (postgres.js's PendingQuery, whatever its rows). */
type Pending = PromiseLike<unknown> & { execute(): unknown };

/** The results of the statements, in their order. */
type Results<T extends readonly Pending[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/**
 * Runs `statements` (built on the connection given, not yet awaited) in one transaction, in one
 * round trip: `sql.begin` awaits its BEGIN before the work starts and the work before its
 * COMMIT, three round trips (and three socket writes) where one does. On a connection of its
 * own (`sql.reserve()`: postgres.js refuses a bare `begin` on a shared one), BEGIN, the
 * statements and COMMIT are issued in order without waiting, so postgres.js writes them
 * together and PostgreSQL runs each only after the one before finished: a lock taken by one
 * statement is held before the next takes its snapshot, as in `sql.begin`. Runs again after a
 * deadlock, as beginRetrying.
 *
 * A failed statement aborts the transaction, and PostgreSQL answers the COMMIT sent behind it
 * with ROLLBACK: the connection is idle again once every answer is in (the error that goes up
 * is the first one, the cause; the later statements' are "transaction is aborted"). A ROLLBACK
 * is still sent before the connection goes back, in case; a connection that closed under it
 * (terminated) is neither written to again nor given back (db/postgres/held_transaction.ts).
 */
export async function pipelinedRetrying<T extends readonly Pending[]>(
  sql: Sql,
  statements: (tx: Sql) => T,
): Promise<Results<T>> {
  for (let attempt = 1;; attempt++) {
    try {
      return await pipelinedAttempt(sql, statements);
    } catch (error) {
      if (!isDeadlock(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}

async function pipelinedAttempt<T extends readonly Pending[]>(
  sql: Sql,
  statements: (tx: Sql) => T,
): Promise<Results<T>> {
  const reserved = await reserveWithin(sql, POSTGRES_RESERVE_WAIT_MS);
  // No connection of its own in time: the same transaction the usual way.
  if (!reserved) {
    return await transaction(sql, (tx) => Promise.all(statements(tx))) as Results<T>;
  }
  // Watched from its BEGIN: a connection that closed is neither written to nor given back
  // (db/postgres/held_transaction.ts).
  const held = new HeldConnection(reserved);
  let failures: unknown[] = [];
  try {
    // Built before BEGIN is sent: nothing may throw between it and the COMMIT.
    const work = statements(held.sql);
    const queries = [held.begin(), ...work, held.sql`commit`];
    for (const query of queries) query.execute();
    const settled = await Promise.allSettled(queries);
    failures = settled.flatMap((s) => s.status === "rejected" ? [s.reason] : []);
    if (failures.length === 0) {
      return settled.slice(1, -1).map((s) =>
        (s as PromiseFulfilledResult<unknown>).value
      ) as Results<T>;
    }
    await held.rollback(...failures);
    throw failures[0];
  } finally {
    held.release(...failures);
  }
}

/**
 * A connection of its own, or null after `ms`: in postgres.js 3.4.9 a `reserve()` waiting for a
 * busy connection never settles if that connection closes meanwhile (porsager/postgres#1195;
 * each connection is replaced every 30 to 60 minutes by default, `max_lifetime`). One that
 * comes after all is given back at once.
 */
async function reserveWithin(sql: Sql, ms: number): Promise<ReservedSql | null> {
  const reserving = reserveGuarded(sql);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(resolve, ms, null));
  try {
    const reserved = await Promise.race([reserving, late]);
    if (!reserved) reserving.then((tx) => tx.release(), () => {});
    return reserved;
  } finally {
    clearTimeout(timer);
  }
}
