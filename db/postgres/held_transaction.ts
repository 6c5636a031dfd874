/**
 * PostgreSQL transactions that survive their backend dying (a restart or failover,
 * `pg_terminate_backend`, a timeout). In postgres.js 3.4.9 the next statement written to a
 * connection whose socket closed — `sql.begin`'s own ROLLBACK after the failed query, or the
 * transaction's next statement if the backend died between two — throws a TypeError in a timer,
 * uncaught: the process ends (porsager/postgres#1133, #1208). A statement written after the
 * pool reconnected it runs outside the transaction (#1155); one still queued behind the others
 * never settles (#1186). A reserved connection that closed must not be given back (#1199: that
 * breaks the pool), while one that only got the dead backend's stale FATAL goodbye as the answer
 * to its next statement (postgres.js hands it to whichever query comes next) is alive and must.
 *
 * So a transaction learns which connection carries it (postgres.js's `onexecute` hook: from
 * its first statement for `guardedBegin`, from its BEGIN for a HeldConnection) and watches it
 * close (the connection's `onclose`, which postgres.js calls as it drops the socket, before the
 * failed queries' errors reach anyone). From then on nothing is written to that connection
 * until it reconnects, the transaction's statements are refused with CONNECTION_CLOSED (those
 * waiting are settled so), no ROLLBACK is sent and a reserved connection is not given back.
 * The pools also guard each connection (`guardedPool`) so that the reserve() reconnecting it
 * never gets that stale FATAL (see `guard`). Without the hook (another postgres.js), the
 * errors' codes alone say whether the connection is gone. tests/postgres_transaction_test.ts
 * and tests/faults/postgres_backend_kill_test.ts kill backends under each of these cases.
 */
import postgres from "postgres";
import type { PendingQuery, ReservedSql, Row, Sql } from "postgres";
import { isPostgresOutage } from "./outage.ts";

/** Whether a held connection's socket closed. */
interface Hold {
  lost: boolean;
  /**
   * A transaction's statements (not the pool's: it makes too many to keep), to settle when its
   * connection closes: postgres.js 3.4.9 never settles those still queued behind the others
   * (porsager/postgres#1186), and whoever awaits them would wait forever.
   */
  statements: Set<RefusableQuery & { executed?: boolean }>;
}

/** postgres.js's connection object, as far as this module touches it. */
interface Connection {
  execute(query: RefusableQuery): unknown;
  connect(initial: unknown): unknown;
  onclose?: ((error: unknown) => void) | null;
}

/** A reserve's stand-in as the first query of a reconnection (see `guard`). */
const RESERVE_STAND_IN = { reserve() {}, reject() {} };

/** A query of postgres.js (a Promise with `reject`) that this module may refuse. */
interface RefusableQuery {
  reject(error: unknown): void;
}

/** Each statement a held connection made, and its hold. */
const holds = new WeakMap<object, Hold>();
/** Connections whose `execute` refuses the statements of a hold that lost them. */
const guarded = new WeakSet<Connection>();
/** Watched connections closed and not yet reconnected: nothing may be written to them. */
const down = new WeakSet<Connection>();

/** A reserved connection for one transaction, watched from its BEGIN on (see above). */
export class HeldConnection {
  readonly #hold: Hold = { lost: false, statements: new Set() };
  #connection: Connection | undefined = undefined;
  /** The connection's Sql: every statement made with it is this transaction's. */
  readonly sql: Sql;

  constructor(private readonly reserved: ReservedSql) {
    const seen = (connection: Connection) => this.#connection = connection;
    this.sql = holding(reserved, this.#hold, watchingFirst(this.#hold, seen));
  }

  /** BEGIN (not yet sent): the first statement, which learns and watches the connection. */
  begin(): PendingQuery<Row[]> {
    return this.sql`begin`;
  }

  /** Whether the connection is gone: seen to close, or (unwatched) as `errors` say. */
  lost(...errors: unknown[]): boolean {
    if (this.#hold.lost) return true;
    return this.#connection === undefined && errors.some(connectionGone);
  }

  /** ROLLBACK after a failure, unless the connection is gone; its own failure goes nowhere. */
  async rollback(...errors: unknown[]): Promise<void> {
    if (this.lost(...errors)) return;
    await this.sql`rollback`.catch((error) => {
      if (!this.#connection && connectionGone(error)) this.#hold.lost = true;
    });
  }

  /** Gives the connection back to the pool, unless it is gone (then the pool has it already). */
  release(...errors: unknown[]): void {
    if (this.lost(...errors)) return;
    if (this.#connection) this.#connection.onclose = null;
    this.reserved.release();
  }
}

/**
 * `sql.begin(work)`, with the transaction's connection watched from the first statement `work`
 * writes: a ROLLBACK or statement for a connection that closed is refused, not written (the
 * crash), and the transaction's statements never run on its next session. On the pool's own
 * path (no reserve), so a dead backend's stale FATAL costs one failed BEGIN, not a connection.
 * Left: a connection that dies between BEGIN and the work's first statement is not yet watched.
 */
export async function guardedBegin<T>(sql: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  const hold: Hold = { lost: false, statements: new Set() };
  const onexecute = watchingFirst(hold);
  return await sql.begin((tx) => work(holding(tx as unknown as Sql, hold, onexecute))) as T;
}

/** An `onexecute` hook that watches the connection the hold's first statement is written to. */
function watchingFirst(
  hold: Hold,
  seen: (connection: Connection) => void = () => {},
): (connection: Connection) => void {
  let watching = false;
  return (connection) => {
    if (watching) return;
    watching = true;
    seen(connection);
    watch(connection, hold);
  };
}

/**
 * `sql`, with every statement it makes remembered as `hold`'s (none for the pool's), each of them
 * telling `onexecute` the connection it is written to.
 */
function holding(
  sql: Sql,
  hold: Hold | undefined,
  onexecute: (connection: Connection) => void,
): Sql {
  const remember = <Q>(made: Q): Q => {
    // Queries are Promises; the helpers (identifiers, row lists, arrays) are not.
    if (!(made instanceof Promise)) return made;
    if (hold) {
      holds.set(made, hold);
      hold.statements.add(made as unknown as RefusableQuery);
    }
    const options = (made as { options?: { onexecute?: unknown } }).options;
    if (options && !options.onexecute) {
      // As if there were no hook (true): the connection stays where postgres.js has it.
      options.onexecute = (connection: Connection) => (onexecute(connection), true);
    }
    return made;
  };
  return new Proxy(sql, {
    apply: (target, self, args) => remember(Reflect.apply(target, self, args)),
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "unsafe" || typeof value !== "function") return value;
      return (...args: unknown[]) => remember(value.apply(target, args));
    },
  }) as Sql;
}

/**
 * Marks `hold` lost when `connection` closes (after whatever postgres.js itself does then: a
 * `sql.begin` rejects), and refuses from then on its statements, and any statement while the
 * connection is down (`sql.begin`'s own ROLLBACK).
 */
function watch(connection: Connection, hold: Hold): void {
  const theirs = connection.onclose;
  connection.onclose = (error) => {
    down.add(connection);
    hold.lost = true;
    theirs?.(error);
    // Those sent already fail with postgres.js's own error first; a statement not yet executed
    // (a fragment, or built and never awaited) has nobody to tell, and a rejection would be
    // unhandled.
    for (const statement of hold.statements) {
      if (statement.executed) statement.reject(lostError());
    }
  };
  guard(connection);
}

/** Installs the connection's guards (once): see `watch`, and below. */
function guard(connection: Connection): void {
  if (guarded.has(connection)) return;
  guarded.add(connection);
  const execute = connection.execute;
  connection.execute = (query: RefusableQuery) => {
    if (!down.has(connection) && !holds.get(query)?.lost) return execute(query);
    query.reject(lostError());
    return true;
  };
  // A backend killed under a statement leaves its FATAL message behind in postgres.js, which
  // gives it to the first query of the connection's next session: when that is the `reserve()`
  // that reconnected it, the reserve fails and the connection is never used again (it waits
  // for a reserve already settled). A reconnection that reserve() itself starts (see
  // reserveGuarded) leaves that reserve among the pool's waiting queries, which hands it the
  // connection once open: so it starts with a stand-in that takes whatever is left behind. A
  // reserve the pool hands a connection later is out of that queue already: it goes as is.
  const connect = connection.connect;
  connection.connect = (initial: unknown) => {
    down.delete(connection);
    const reserve = reserving && (initial as { reserve?: unknown } | null)?.reserve;
    return connect(reserve ? { ...RESERVE_STAND_IN } : initial);
  };
}

/** Whether reserveGuarded is inside `sql.reserve()` (whose reconnection starts synchronously). */
let reserving = false;

/** `sql.reserve()`, whose reconnection of a guarded connection starts with the stand-in. */
export function reserveGuarded(sql: Sql): Promise<ReservedSql> {
  reserving = true;
  try {
    return sql.reserve();
  } finally {
    reserving = false;
  }
}

/**
 * The pool `sql`, whose connections get their guards on the first query they run: so that a
 * reserve() reconnecting any of them after a kill finds no stale FATAL (see `guard`), not only
 * those a transaction ran on. The store's pools are opened through it (db/postgres/connect.ts).
 */
export function guardedPool(sql: Sql): Sql {
  return holding(sql, undefined, guard);
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
