/**
 * Password resets (API.md "Accounts"): one-use links valid for PASSWORD_RESET_TTL_MS, made by
 * an instance administrator (admin_service.ts) or asked for by e-mail from the login page
 * when `SMTP_URL` is set. Using a link sets the new password (the same rules and policy as at
 * registration), ends every session of the user and spends the link.
 *
 * The store sees only the token's hash (password_reset.ts). Asking for a link by e-mail
 * answers the same whether or not the account exists or has an address: the mail goes out in
 * the background, so neither the answer nor its timing tells.
 */
import type { Store, UserRecord } from "../../db/store.ts";
import { endSessionsOf } from "./end_sessions.ts";
import { NotFound, RateLimited } from "../errors.ts";
import {
  PASSWORD_RESET_MAILS_PER_ACCOUNT,
  PASSWORD_RESET_REQUESTS_PER_IP,
  PASSWORD_RESET_TTL_MS,
  PASSWORD_RESET_WINDOW_MS,
  USERNAME_MAX_LENGTH,
} from "../limits.ts";
import type { Mailer } from "./mailer.ts";
import {
  hashResetToken,
  isResetTokenShaped,
  isResetUsable,
  issueResetToken,
  resetUrl,
} from "./password_reset.ts";
import { checkPasswordPolicy } from "./password_policy.ts";
import type { GuardedPasswords } from "./guarded_passwords.ts";
import { memoryRateLimits } from "../rate_limits/rate_limits.ts";
import type { RateLimitBackend, WindowLimit } from "../rate_limits/rate_limits.ts";
import { NO_SECURITY_LOG } from "./security_log.ts";
import type { SecurityLog } from "./security_log.ts";
import { checkPassword } from "../text.ts";

export interface PasswordResetServiceOptions {
  store: Store;
  /** bcrypt within the sign-in guard's per-address slots. */
  passwords: GuardedPasswords;
  /** Told of each session a reset ends, so its sockets can be closed. */
  onSessionEnded?: (sessionId: string) => void;
  /** With one, users may ask for a link by e-mail (`SMTP_URL`). */
  mailer?: Mailer;
  securityLog?: SecurityLog;
  now?: () => number;
  /** Where the counts live (default: this process's memory). */
  rateLimits?: RateLimitBackend;
}

/** What a reset link leads to while it can still be used. */
export interface PendingReset {
  user: UserRecord;
  expiresAt: Date;
}

const INVALID_LINK = "This reset link is invalid, already used or expired: ask for a new one.";

export class PasswordResetService {
  #store: Store;
  #passwords: GuardedPasswords;
  #onSessionEnded: (sessionId: string) => void;
  #mailer?: Mailer;
  #log: SecurityLog;
  #now: () => number;
  #perIp: WindowLimit;
  #perAccount: WindowLimit;
  /** Mails still being sent, so a shutdown or a test can wait for them. */
  #sending = new Set<Promise<void>>();

  constructor(options: PasswordResetServiceOptions) {
    this.#store = options.store;
    this.#passwords = options.passwords;
    this.#onSessionEnded = options.onSessionEnded ?? (() => {});
    this.#mailer = options.mailer;
    this.#log = options.securityLog ?? NO_SECURITY_LOG;
    this.#now = options.now ?? Date.now;
    const limits = options.rateLimits ?? memoryRateLimits(this.#now);
    // Both fail closed: they keep strangers from flooding inboxes through every instance.
    const window = { windowMs: PASSWORD_RESET_WINDOW_MS, failOpen: false };
    this.#perIp = limits.window({
      name: "reset_ip",
      limit: PASSWORD_RESET_REQUESTS_PER_IP,
      ...window,
    });
    this.#perAccount = limits.window({
      name: "reset_account",
      limit: PASSWORD_RESET_MAILS_PER_ACCOUNT,
      ...window,
    });
  }

  /** Whether users can ask for a link by e-mail (an SMTP server is configured). */
  get byEmail(): boolean {
    return this.#mailer !== undefined;
  }

  /** Stores a new link for `user` and returns its absolute URL on the site at `origin`. */
  async issue(user: UserRecord, origin: string): Promise<string> {
    const { token, tokenHash, expiresAt } = await issueResetToken(this.#now());
    await this.#store.createPasswordReset({
      tokenHash,
      userId: user.id,
      createdAt: new Date(this.#now()),
      expiresAt,
    });
    return resetUrl(origin, token);
  }

  /** The user a link resets, while it can be used; otherwise `404 reset_link_invalid`. */
  async check(token: unknown): Promise<PendingReset> {
    if (!isResetTokenShaped(token)) throw invalidLink();
    const reset = await this.#store.findPasswordReset(await hashResetToken(token));
    if (!reset || !isResetUsable(reset.expiresAt, this.#now())) throw invalidLink();
    const user = await this.#store.findUserById(reset.userId);
    if (!user) throw invalidLink();
    return { user, expiresAt: reset.expiresAt };
  }

  /**
   * Sets the new password through a link, spends the link and ends every session of the user.
   * A password that breaks the rules leaves the link usable (`400`, field `password`).
   */
  async complete(token: unknown, newPassword: unknown, ip: string): Promise<UserRecord> {
    const { user } = await this.check(token);
    const password = checkPassword(newPassword);
    checkPasswordPolicy(password, user.username);
    // Hashed before the link is spent: a busy server (429) must not cost the user their link.
    const hash = await this.#hash(password, ip);
    // Only one of two racing uses gets the link; the other is told it is spent.
    const taken = await this.#store.takePasswordReset(await hashResetToken(token as string));
    if (!taken || !isResetUsable(taken.expiresAt, this.#now())) throw invalidLink();
    const updated = await this.#store.setPasswordHash(user.id, hash);
    if (!updated) throw invalidLink();
    const ended = await endSessionsOf(this.#store, user.id, this.#onSessionEnded);
    this.#log.record({
      event: "password_reset_used",
      userId: user.id,
      username: user.username,
      ip,
    });
    for (const sessionId of ended) {
      this.#log.record({
        event: "session_revoked",
        userId: user.id,
        username: user.username,
        ip,
        sessionId,
        reason: "password_reset",
      });
    }
    return updated;
  }

  /**
   * Mails a link to the address on file of the account named `username`, if there is one.
   * Resolves the same way in every case (so nobody learns who has an account); only an
   * address asking too often gets `429`, whoever it asks about.
   */
  async request(username: unknown, origin: string, ip: string): Promise<void> {
    const mailer = this.#mailer;
    if (!mailer) throw new NotFound("not_found", "Password resets by e-mail are not enabled here.");
    const retryMs = await this.#perIp.take(ip);
    if (retryMs > 0) {
      throw new RateLimited(Math.ceil(retryMs / 1000), "Too many reset requests.");
    }
    const name = typeof username === "string" ? username.trim().toLowerCase() : "";
    // No account has a longer name, and a KV key that long throws: answered like an unknown one.
    const user = name === "" || name.length > USERNAME_MAX_LENGTH
      ? null
      : await this.#store.findUserByUsername(name);
    this.#log.record({ event: "password_reset_requested", userId: user?.id, username: name, ip });
    if (!user?.email) return;
    // Per account, extra requests are dropped silently: a 429 here would say the account exists.
    if (await this.#perAccount.take(user.id) > 0) return;
    this.#track(this.#mail(mailer, user, user.email, origin));
  }

  /** Resolves once every mail being sent has been handed to the SMTP server (or failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.#sending]);
  }

  async #mail(mailer: Mailer, user: UserRecord, to: string, origin: string): Promise<void> {
    const url = await this.issue(user, origin);
    const minutes = Math.round(PASSWORD_RESET_TTL_MS / 60_000);
    await mailer.send({
      to,
      subject: "Reset your Salon password",
      text: [
        `Hello ${user.displayName},`,
        "",
        `Someone (hopefully you) asked to reset the password of "${user.username}".`,
        `To choose a new password, open this link within ${minutes} minutes:`,
        "",
        url,
        "",
        "It works once. If you did not ask for it, ignore this mail: your password stays as it is.",
      ].join("\n"),
    });
  }

  #track(sending: Promise<void>): void {
    const tracked = sending.catch((error) => {
      // The requester was already answered; the operator learns it from the log.
      console.error("Could not send a password reset mail:", error);
    }).finally(() => this.#sending.delete(tracked));
    this.#sending.add(tracked);
  }

  /** Within the address's slots: racing uses of one link cannot queue unbounded bcrypt work. */
  #hash(password: string, ip: string): Promise<string> {
    const guarded = this.#passwords;
    return guarded.guard.passwordJob(ip, () => guarded.hash(password));
  }
}

function invalidLink(): NotFound {
  return new NotFound("reset_link_invalid", INVALID_LINK);
}
