/**
 * The two-factor part of the `Store` (db/store.ts extends it): a user's TOTP enrolment, the
 * last time step a code was accepted for, and the hashes of their unused recovery codes.
 *
 * Every write is conditional and atomic, because two instances may check codes of one user at
 * the same moment: a step is recorded only if it is later than the last one, a recovery code
 * is removed only if it is still there, and each caller learns whether its write won.
 */

/** A user's two-factor state. Secrets are base32, as authenticator apps take them. */
export interface TwoFactorRecord {
  userId: string;
  /** The secret of an enrolment not yet confirmed; null when none is under way. */
  pendingSecret: string | null;
  /** The active secret; null while two-factor authentication is off. */
  secret: string | null;
  /** The latest TOTP time step a code was accepted for; null before the first. */
  lastUsedStep: number | null;
  /** SHA-256 (hex) of each recovery code not yet used. */
  recoveryCodeHashes: string[];
}

/** What the stores keep for two-factor authentication. */
export interface TwoFactorStore {
  /** The user's two-factor state, or null if they never started an enrolment. */
  findTwoFactor(userId: string): Promise<TwoFactorRecord | null>;
  /** Starts (or restarts) an enrolment with `secret`; an active secret is left as it is. */
  setPendingTotp(userId: string, secret: string): Promise<void>;
  /**
   * Makes the pending secret active, if it is still `secret`, with these recovery codes and
   * the step the confirming code belonged to (so it cannot sign in); false if it is not.
   */
  activateTotp(
    userId: string,
    secret: string,
    recoveryCodeHashes: string[],
    step: number,
  ): Promise<boolean>;
  /**
   * Records `step` as used, if `secret` is still the active one and `step` is later than the
   * last step used; false otherwise (the code was used already, maybe on another instance).
   */
  useTotpStep(userId: string, secret: string, step: number): Promise<boolean>;
  /** Removes one recovery code's hash while two-factor is on; false if it was not there. */
  useRecoveryCode(userId: string, hash: string): Promise<boolean>;
  /** Turns two-factor authentication off: forgets the secrets, the step and the codes. */
  deleteTwoFactor(userId: string): Promise<void>;
}
