/**
 * The account's side of two-factor authentication: setting it up, asking whether it is on, and
 * turning it off with the password and a code, both throttled like a login (the codes and what
 * is stored are two_factor_service.ts's).
 */
import { Invalid, Unauthorized } from "../errors.ts";
import type { AccountDeps, Authenticated } from "./account_deps.ts";
import { readCode } from "./two_factor_service.ts";
import type { TotpEnrolment, TwoFactorService } from "./two_factor_service.ts";

/** DELETE /api/me/totp's body. */
export interface TwoFactorDisableInput {
  password?: unknown;
  code?: unknown;
}

export class TwoFactorSettings {
  constructor(readonly deps: AccountDeps, readonly twoFactor: TwoFactorService) {}

  /** Starts setting up an authenticator app (POST /api/me/totp): on once confirmed. */
  start(auth: Authenticated): Promise<TotpEnrolment> {
    return this.twoFactor.start(auth.user);
  }

  /** Confirms the setup with a current code; returns the recovery codes, shown only now. */
  confirm(auth: Authenticated, input: { code?: unknown }, ip: string): Promise<string[]> {
    return this.twoFactor.confirm(auth.user, input.code, ip);
  }

  /** Whether the user signs in with a second factor (the settings page shows which). */
  isEnabled(auth: Authenticated): Promise<boolean> {
    return this.twoFactor.isEnabled(auth.user.id);
  }

  /**
   * Turns two-factor authentication off. It takes the password (`401 invalid_credentials`)
   * and a current or recovery code (`401 invalid_code`), each failure counted as a failed
   * login of the account, so a stolen session cannot guess either faster than the login form.
   */
  async disable(auth: Authenticated, input: TwoFactorDisableInput, ip: string): Promise<void> {
    const { user, sessionId } = auth;
    if (typeof input.password !== "string") {
      throw new Invalid("invalid_credentials", "The password is required.");
    }
    const password = input.password;
    const code = readCode(input.code);
    if (code === undefined) {
      throw new Invalid("invalid_code", "A code from your app, or a recovery code, is required.");
    }
    await this.twoFactor.requireEnabled(user.id);
    const failed = {
      event: "totp_disable_failed",
      userId: user.id,
      username: user.username,
      ip,
      sessionId,
    } as const;
    const guarded = this.deps.passwords;
    const attempt = await guarded.throttled(
      { ...failed, reason: "throttled" },
      () => guarded.guard.beginLogin(user.username, ip),
    );
    let matches: boolean;
    try {
      matches = await guarded.throttled(
        { ...failed, reason: "throttled" },
        () => guarded.guard.passwordJob(ip, () => guarded.verify(password, user.passwordHash)),
      );
    } catch (error) {
      attempt.abandoned();
      throw error;
    }
    if (!matches) {
      this.deps.log.record({ ...failed, reason: "wrong_password" });
      throw new Unauthorized("invalid_credentials", "The password is wrong.");
    }
    await guarded.secondFactor(attempt, () => this.twoFactor.disable(user, code, ip));
    attempt.succeeded();
  }
}
