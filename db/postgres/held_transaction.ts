/**
 * `sql.begin` without the way postgres.js 3.4.9 crashes the process when a transaction's
 * backend dies (a PostgreSQL restart or failover, `pg_terminate_backend`, a timeout): the
 * connection's socket is gone, and the next statement written to it — `sql.begin`'s own
 * ROLLBACK after the failed query, or the transaction's next statement if the backend died
 * between two — throws a TypeError in a timer, uncaught (porsager/postgres#1133, #1208). A
 * statement written to it after the pool reconnected it would run outside the transaction
 * (#1155).
 *
 * Here a transaction runs on a connection of its own (`sql.reserve()`): BEGIN, the work, COMMIT.
 * The BEGIN learns which connection carries it (postgres.js's `onexecute` hook) and watches it
 * close (the connection's `onclose`, which postgres.js calls as it drops the socket, before the
 * failed queries' errors reach anyone). From then on, a statement of this transaction given to
 * that connection is refused with CONNECTION_CLOSED instead of written, the transaction sends no
 * ROLLBACK and its connection is not given back (postgres.js has it among its closed ones
 * already: releasing it breaks the pool, porsager/postgres#1199). Without the hook (another
 * postgres.js), the error's code alone says whether the connection is gone.
 */
import postgres from "postgres";
import type { ReservedSql, Sql } from "postgres";
import { isPostgresOutage } from "./outage.ts";

/** What a transaction knows of its connection. */
interface Hold {
  lost: boolean;
}

/** postgres.js's connection object, as far as this module touches it. */
interface Connection {
  execute(query: GuardedQuery): unknown;
  onclose?: ((error: unknown) => void) | null;
}

/** A query of postgres.js (a Promise with `reject`) that this module may refuse. */
interface GuardedQuery {
  reject(error: unknown): void;
}

/** Each statement a held transaction made, and that transaction. */
const holds = new WeakMap<object, Hold>();
/** Connections whose `execute` refuses the statements of a transaction that lost them. */
const guarded = new WeakSet<Connection>();

/**
 * Runs `work` between BEGIN and COMMIT on `reserved` (a connection of its own), rolling back
 * when it fails; its statements are refused once the connection is lost (see above). Gives the
 * connection back unless it was lost.
 */
export async function heldTransaction<T>(
  reserved: ReservedSql,
  work: (tx: Sql) => Promise<T>,
): Promise<T> {
  const hold: Hold = { lost: false };
  const tx = holding(reserved, hold);
  let connection: Connection | undefined;
  try {
    await tx.unsafe("begin", [], {
      onexecute: (c: Connection) => {
        connection = c;
        return true; // as if there were no hook: the connection stays where it is
      },
    } as never);
    if (connection) watch(connection, hold);
    const result = await work(tx);
    await tx`commit`;
    return result;
  } catch (error) {
    if (connectionGone(error)) hold.lost = true;
    if (!hold.lost) {
      await tx`rollback`.catch((rollbackError) => {
        if (connectionGone(rollbackError)) hold.lost = true;
      });
    }
    throw error;
  } finally {
    if (connection && !hold.lost) connection.onclose = null;
    if (!hold.lost) reserved.release();
  }
}

/** `reserved`, with every statement it makes remembered as this transaction's. */
function holding(reserved: ReservedSql, hold: Hold): Sql {
  const remember = <Q>(made: Q): Q => {
    // Queries are Promises; the helpers (identifiers, row lists, arrays) are not.
    if (made instanceof Promise) holds.set(made, hold);
    return made;
  };
  return new Proxy(reserved, {
    apply: (target, self, args) => remember(Reflect.apply(target, self, args)),
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "unsafe" || typeof value !== "function") return value;
      return (...args: unknown[]) => remember(value.apply(target, args));
    },
  }) as Sql;
}

/** Marks `hold` lost when `connection` closes; refuses its statements from then on. */
function watch(connection: Connection, hold: Hold): void {
  connection.onclose = () => {
    hold.lost = true;
  };
  if (guarded.has(connection)) return;
  guarded.add(connection);
  const execute = connection.execute;
  connection.execute = (query: GuardedQuery) => {
    if (!holds.get(query)?.lost) return execute(query);
    query.reject(lostError());
    return true;
  };
}

/** The error a lost transaction's statement gets: postgres.js's own for a closed connection. */
function lostError(): Error {
  return Object.assign(new Error("write CONNECTION_CLOSED: the transaction's connection closed"), {
    code: "CONNECTION_CLOSED",
  });
}

/** Whether `error` says the connection itself is gone (not a failed statement on it). */
function connectionGone(error: unknown): boolean {
  if (error instanceof postgres.PostgresError) {
    return error.severity === "FATAL" || error.severity === "PANIC";
  }
  return isPostgresOutage(error);
}
