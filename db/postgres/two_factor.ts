/**
 * Two-factor state on PostgreSQL: one row per user in `two_factor` (migration
 * 005_two_factor.sql). Each write is one conditional UPDATE, so the database decides which of
 * two concurrent uses of a code wins.
 */
import type { Sql } from "postgres";
import type { TwoFactorRecord, TwoFactorStore } from "../two_factor_store.ts";

interface TwoFactorRow {
  user_id: string;
  pending_secret: string | null;
  secret: string | null;
  last_used_step: number | null;
  recovery_code_hashes: string[];
}

function toTwoFactor(row: TwoFactorRow): TwoFactorRecord {
  return {
    userId: row.user_id,
    pendingSecret: row.pending_secret,
    secret: row.secret,
    lastUsedStep: row.last_used_step,
    recoveryCodeHashes: row.recovery_code_hashes,
  };
}

/** The two-factor methods of the PostgreSQL store, over its connection pool. */
export class PostgresTwoFactor implements TwoFactorStore {
  constructor(readonly sql: Sql) {}

  async findTwoFactor(userId: string): Promise<TwoFactorRecord | null> {
    const [row] = await this.sql<TwoFactorRow[]>`
      SELECT * FROM two_factor WHERE user_id = ${userId}`;
    return row ? toTwoFactor(row) : null;
  }

  async setPendingTotp(userId: string, secret: string): Promise<void> {
    await this.sql`
      INSERT INTO two_factor (user_id, pending_secret) VALUES (${userId}, ${secret})
      ON CONFLICT (user_id) DO UPDATE SET pending_secret = EXCLUDED.pending_secret`;
  }

  async activateTotp(
    userId: string,
    secret: string,
    recoveryCodeHashes: string[],
    step: number,
  ): Promise<boolean> {
    const rows = await this.sql`
      UPDATE two_factor
      SET secret = pending_secret, pending_secret = NULL, last_used_step = ${step},
          recovery_code_hashes = ${this.sql.array(recoveryCodeHashes)}::text[]
      WHERE user_id = ${userId} AND pending_secret = ${secret}
      RETURNING user_id`;
    return rows.length === 1;
  }

  async useTotpStep(userId: string, secret: string, step: number): Promise<boolean> {
    const rows = await this.sql`
      UPDATE two_factor SET last_used_step = ${step}
      WHERE user_id = ${userId} AND secret = ${secret}
        AND (last_used_step IS NULL OR last_used_step < ${step})
      RETURNING user_id`;
    return rows.length === 1;
  }

  async useRecoveryCode(userId: string, hash: string): Promise<boolean> {
    const rows = await this.sql`
      UPDATE two_factor SET recovery_code_hashes = array_remove(recovery_code_hashes, ${hash})
      WHERE user_id = ${userId} AND secret IS NOT NULL AND ${hash} = ANY (recovery_code_hashes)
      RETURNING user_id`;
    return rows.length === 1;
  }

  async deleteTwoFactor(userId: string): Promise<void> {
    await this.sql`DELETE FROM two_factor WHERE user_id = ${userId}`;
  }
}
