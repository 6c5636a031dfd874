/**
 * Two-factor state on Deno KV: one value per user at `["two_factor", userId]`, changed only by
 * compare-and-set commits (`check` on the value read), so concurrent checks of one user's codes
 * on several instances cannot both win.
 */
import { retry, TRY_AGAIN } from "../retry.ts";
import type { TwoFactorRecord, TwoFactorStore } from "../two_factor_store.ts";
import { isLocked } from "./locked.ts";

/** Compare-and-set tries before giving up (only one user's own requests compete). */
const MAX_ATTEMPTS = 20;

/** Where a user's two-factor state is (deleting the user deletes it too). */
export const twoFactorKeyOf = (userId: string): Deno.KvKey => ["two_factor", userId];
const keyOf = twoFactorKeyOf;

function empty(userId: string): TwoFactorRecord {
  return {
    userId,
    pendingSecret: null,
    secret: null,
    lastUsedStep: null,
    recoveryCodeHashes: [],
  };
}

/** The two-factor methods of the KV store, over its database handle. */
export class KvTwoFactor implements TwoFactorStore {
  constructor(readonly kv: Deno.Kv) {}

  async findTwoFactor(userId: string): Promise<TwoFactorRecord | null> {
    return (await this.kv.get<TwoFactorRecord>(keyOf(userId))).value;
  }

  async setPendingTotp(userId: string, secret: string): Promise<void> {
    await this.#change(userId, (record) => ({ ...record, pendingSecret: secret }));
  }

  activateTotp(
    userId: string,
    secret: string,
    recoveryCodeHashes: string[],
    step: number,
  ): Promise<boolean> {
    return this.#change(
      userId,
      (record) =>
        record.pendingSecret === secret
          ? { ...record, pendingSecret: null, secret, lastUsedStep: step, recoveryCodeHashes }
          : null,
    );
  }

  useTotpStep(userId: string, secret: string, step: number): Promise<boolean> {
    return this.#change(userId, (record) => {
      const later = record.lastUsedStep === null || step > record.lastUsedStep;
      return record.secret === secret && later ? { ...record, lastUsedStep: step } : null;
    });
  }

  useRecoveryCode(userId: string, hash: string): Promise<boolean> {
    return this.#change(userId, (record) => {
      const left = record.recoveryCodeHashes.filter((stored) => stored !== hash);
      const removed = record.secret !== null && left.length < record.recoveryCodeHashes.length;
      return removed ? { ...record, recoveryCodeHashes: left } : null;
    });
  }

  async deleteTwoFactor(userId: string): Promise<void> {
    await retry(() => this.kv.delete(keyOf(userId)), {
      attempts: MAX_ATTEMPTS,
      isRetryable: isLocked,
      maxBackOffMs: 20,
    });
  }

  /**
   * Applies `change` to the stored record (an empty one if none) in a compare-and-set commit;
   * `change` returning null means "refused": nothing is written and the answer is false.
   */
  #change(
    userId: string,
    change: (record: TwoFactorRecord) => TwoFactorRecord | null,
  ): Promise<boolean> {
    return retry(async () => {
      const entry = await this.kv.get<TwoFactorRecord>(keyOf(userId));
      const updated = change(entry.value ?? empty(userId));
      if (updated === null) return false;
      const result = await this.kv.atomic().check(entry).set(keyOf(userId), updated).commit();
      return result.ok ? true : TRY_AGAIN;
    }, {
      attempts: MAX_ATTEMPTS,
      isRetryable: isLocked,
      maxBackOffMs: 20,
      exhausted: () => new Error(`Could not update two-factor state of user ${userId}`),
    });
  }
}
