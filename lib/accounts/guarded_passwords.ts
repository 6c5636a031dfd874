/**
 * Password work under the sign-in guard: bcrypt hashes and checks on the password thread, each
 * within the address's slots, with the guard's refusals logged and a full queue answered 429.
 * Login, registration, password and e-mail changes, password resets, account deletion and turning two-factor off share it.
 */
import { Invalid, RateLimited, Unauthorized } from "../errors.ts";
import type { PasswordHasher } from "../passwords.ts";
import { PasswordQueueFull } from "../passwords.ts";
import type { Authenticated } from "./account_deps.ts";
import type { SecurityEvent, SecurityLog } from "./security_log.ts";
import type { LoginAttempt, SignInGuard } from "./sign_in_guard.ts";
import { isInvalidCode } from "./two_factor_service.ts";

export class GuardedPasswords {
  #dummyHash?: Promise<string>;

  constructor(
    readonly guard: SignInGuard,
    readonly passwords: PasswordHasher,
    readonly log: SecurityLog,
  ) {}

  /**
   * Checks the signed-in user's password before a sensitive change (`401 invalid_credentials`
   * if wrong, logged as `failed`). A wrong one counts as a failed login of the account, so
   * someone holding a stolen session guesses no faster here than at the login form.
   */
  async confirm(
    { user, sessionId }: Authenticated,
    password: unknown,
    ip: string,
    failed: "password_change_failed" | "email_change_failed" | "account_deletion_failed",
  ): Promise<void> {
    if (typeof password !== "string") {
      throw new Invalid("invalid_credentials", "Your current password is required.");
    }
    const logged = { event: failed, userId: user.id, username: user.username, ip, sessionId };
    const throttled = { ...logged, reason: "throttled" };
    const attempt = await this.throttled(
      throttled,
      () => this.guard.beginLogin(user.username, ip),
    );
    let matches: boolean;
    try {
      matches = await this.throttled(
        throttled,
        () => this.guard.passwordJob(ip, () => this.verify(password, user.passwordHash)),
      );
    } catch (error) {
      attempt.abandoned();
      throw error;
    }
    if (!matches) {
      this.log.record({ ...logged, reason: "wrong_password" });
      throw new Unauthorized("invalid_credentials", "Your current password is wrong.");
    }
    attempt.succeeded();
  }

  /**
   * Runs a second-factor check within a reserved attempt: a wrong code stays counted, like a
   * wrong password; any other refusal (no code yet) or error counts nothing.
   */
  async secondFactor(attempt: LoginAttempt, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      if (!isInvalidCode(error)) attempt.abandoned();
      throw error;
    }
  }

  /** Runs `work`, logging `event` if the sign-in guard refuses it (429), and rethrows. */
  async throttled<T>(event: SecurityEvent, work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof RateLimited) this.log.record(event);
      throw error;
    }
  }

  /** The hash an unknown user's login is checked against, made once. */
  dummy(): Promise<string> {
    this.#dummyHash ??= this.hash(crypto.randomUUID());
    // A failed first attempt (a busy worker) must not be remembered as the dummy forever.
    this.#dummyHash.catch(() => this.#dummyHash = undefined);
    return this.#dummyHash;
  }

  /** bcrypt of `password`; a full password queue is 429. */
  hash(password: string): Promise<string> {
    return busyAsRateLimited(this.passwords.hash(password));
  }

  /** Whether `password` matches `hash`; a full password queue is 429. */
  verify(password: string, hash: string): Promise<boolean> {
    return busyAsRateLimited(this.passwords.verify(password, hash));
  }
}

/** A full password queue is the server being busy: a clear 429 beats an endless wait. */
async function busyAsRateLimited<T>(job: Promise<T>): Promise<T> {
  try {
    return await job;
  } catch (error) {
    if (error instanceof PasswordQueueFull) {
      throw new RateLimited(1, "The server is busy signing people in.");
    }
    throw error;
  }
}
