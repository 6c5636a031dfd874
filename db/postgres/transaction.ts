/**
 * Transactions that run again when PostgreSQL aborts them as a deadlock's victim (40P01): a
 * deletion's cascade locks rows in its own order, so a write racing it can deadlock with it (the
 * contract's "writes racing deleteServer" case); the victim wrote nothing and may simply run again.
 */
import type { Sql, TransactionSql } from "postgres";
import { isDeadlock } from "./rows.ts";

/** How many times a transaction chosen as a deadlock's victim runs before its error goes up. */
const DEADLOCK_ATTEMPTS = 5;

/** Runs `work` in a transaction (`sql.begin`), again after a deadlock, up to DEADLOCK_ATTEMPTS. */
export async function beginRetrying<T>(
  sql: Sql,
  work: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await sql.begin(work) as T;
    } catch (error) {
      if (!isDeadlock(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}
