/**
 * Two-factor authentication for accounts (API.md "Accounts"): enrolment, its confirmation
 * with a first code (which hands out the recovery codes), the second step of a sign-in, and
 * turning it off. The codes themselves are two_factor.ts's; what is stored where is the
 * store's. sign_in.ts and two_factor_settings.ts call in here for the sign-in and for turning
 * it off, where the password is checked and attempts are throttled.
 */
import type { UserRecord } from "../../db/store.ts";
import type { TwoFactorRecord, TwoFactorStore } from "../../db/two_factor_store.ts";
import { Conflict, Invalid, Unauthorized } from "../errors.ts";
import type { SecurityLog } from "./security_log.ts";
import {
  findRecoveryCodeHash,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  isRecoveryCode,
  isTotpCode,
  matchTotp,
  normalizeCode,
  totpUrl,
} from "./two_factor.ts";

/** The issuer authenticator apps show beside the account name. */
const ISSUER = "Salon";
/** A typed code longer than this is refused unread (real ones are 6 or 14 characters). */
const CODE_INPUT_MAX = 64;

export interface TwoFactorServiceOptions {
  store: TwoFactorStore;
  securityLog: SecurityLog;
  now: () => number;
}

/** What POST /api/me/totp answers: the secret to type in, and the URL to scan. */
export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
}

/** A code field as sent: absent (undefined) or a string; anything else is a 400. */
export function readCode(code: unknown): string | undefined {
  if (code === undefined || code === null || code === "") return undefined;
  if (typeof code !== "string") {
    throw new Invalid("invalid_code", "The code must be a string of digits.", "code");
  }
  return code;
}

/** Whether an error is a refused second factor (counted like a wrong password). */
export function isInvalidCode(error: unknown): boolean {
  return error instanceof Unauthorized && error.code === "invalid_code";
}

export class TwoFactorService {
  #store: TwoFactorStore;
  #log: SecurityLog;
  #now: () => number;

  constructor(options: TwoFactorServiceOptions) {
    this.#store = options.store;
    this.#log = options.securityLog;
    this.#now = options.now;
  }

  /** Starts (or restarts) an enrolment; not active until confirmed. 409 if already on. */
  async start(user: UserRecord): Promise<TotpEnrolment> {
    await this.#refuseIfEnabled(user.id);
    const secret = generateTotpSecret();
    await this.#store.setPendingTotp(user.id, secret);
    return { secret, otpauthUrl: totpUrl(secret, user.username, ISSUER) };
  }

  /** Confirms the enrolment with a current code: turns it on and returns the recovery codes. */
  async confirm(user: UserRecord, code: unknown, ip: string): Promise<string[]> {
    const typed = readCode(code);
    if (typed === undefined) {
      throw new Invalid("invalid_code", "Enter the code your authenticator app shows.", "code");
    }
    await this.#refuseIfEnabled(user.id);
    const pending = (await this.#store.findTwoFactor(user.id))?.pendingSecret ?? null;
    if (pending === null) throw notPending();
    const step = matchTotp(pending, normalizeCode(typed), this.#now(), null);
    if (step === null) {
      throw new Invalid(
        "invalid_code",
        "That code is not the one your authenticator app shows now: check the phone's clock.",
        "code",
      );
    }
    const recoveryCodes = generateRecoveryCodes();
    const hashes = await Promise.all(recoveryCodes.map(hashRecoveryCode));
    // A newer enrolment (another tab) replaced this secret meanwhile: that one must be confirmed.
    if (!await this.#store.activateTotp(user.id, pending, hashes, step)) throw notPending();
    this.#log.record({ event: "totp_enabled", ...whom(user, ip) });
    return recoveryCodes;
  }

  /** Whether the user signs in with a second factor. */
  async isEnabled(userId: string): Promise<boolean> {
    return (await this.#store.findTwoFactor(userId))?.secret != null;
  }

  /**
   * The second step of a sign-in, after the password matched: nothing when two-factor is off;
   * 401 totp_required without a code, 401 invalid_code for a wrong, old or used one.
   */
  async checkSignIn(user: UserRecord, code: string | undefined, ip: string): Promise<void> {
    const record = await this.#store.findTwoFactor(user.id);
    if (record?.secret == null) return;
    if (code === undefined) {
      throw new Unauthorized(
        "totp_required",
        "Enter the code from your authenticator app, or one of your recovery codes.",
      );
    }
    if (!await this.#useCode(user, record.secret, record, code, ip)) {
      this.#log.record({ event: "login_failed", ...whom(user, ip), reason: "invalid_code" });
      throw invalidCode();
    }
  }

  /** Turns two-factor off after the caller checked the password; needs a valid code. */
  async disable(user: UserRecord, code: string, ip: string): Promise<void> {
    const record = await this.#store.findTwoFactor(user.id);
    if (record?.secret == null) throw notEnabled();
    if (!await this.#useCode(user, record.secret, record, code, ip)) {
      this.#log.record({ event: "totp_disable_failed", ...whom(user, ip), reason: "invalid_code" });
      throw invalidCode();
    }
    await this.#store.deleteTwoFactor(user.id);
    this.#log.record({ event: "totp_disabled", ...whom(user, ip) });
  }

  /** 409 totp_not_enabled unless the user has two-factor on (checked before password work). */
  async requireEnabled(userId: string): Promise<void> {
    if (!await this.isEnabled(userId)) throw notEnabled();
  }

  /**
   * Uses up a TOTP step or a recovery code of `record` (whose active secret is `secret`);
   * false if the code is not, or no longer, valid.
   */
  async #useCode(
    user: UserRecord,
    secret: string,
    record: TwoFactorRecord,
    typed: string,
    ip: string,
  ): Promise<boolean> {
    if (typed.length > CODE_INPUT_MAX) return false;
    const code = normalizeCode(typed);
    if (isTotpCode(code)) {
      const step = matchTotp(secret, code, this.#now(), record.lastUsedStep);
      return step !== null && await this.#store.useTotpStep(user.id, secret, step);
    }
    if (!isRecoveryCode(code)) return false;
    const index = findRecoveryCodeHash(record.recoveryCodeHashes, await hashRecoveryCode(code));
    if (index === -1) return false;
    if (!await this.#store.useRecoveryCode(user.id, record.recoveryCodeHashes[index])) return false;
    this.#log.record({ event: "recovery_code_used", ...whom(user, ip) });
    return true;
  }

  async #refuseIfEnabled(userId: string): Promise<void> {
    if (await this.isEnabled(userId)) {
      throw new Conflict(
        "totp_already_enabled",
        "Two-factor authentication is already on: turn it off first to set up another app.",
      );
    }
  }
}

function whom(user: UserRecord, ip: string) {
  return { userId: user.id, username: user.username, ip };
}

function invalidCode(): Unauthorized {
  return new Unauthorized("invalid_code", "That code is wrong, expired or already used.");
}

function notPending(): Conflict {
  return new Conflict(
    "totp_not_pending",
    "There is no two-factor setup to confirm: start it again (POST /api/me/totp).",
  );
}

function notEnabled(): Conflict {
  return new Conflict("totp_not_enabled", "Two-factor authentication is not on.");
}
