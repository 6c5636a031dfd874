/**
 * The limits in front of registration and login, applied *before* the slow bcrypt work so that
 * concurrency cannot slip past them (findings of the attack review, issue "Accounts people can
 * trust"):
 *
 * - failed logins are throttled per (account, address) pair — the guesser's own budget, with
 *   long delays — and, with larger free budgets and short delays, per account and per address,
 *   so someone else's guesses never lock an account's owner out for long (attempt_throttle.ts);
 * - registrations are counted per address when they start, whatever their outcome;
 * - one address has at most PASSWORD_JOBS_PER_IP hashes or checks in flight, so it cannot fill
 *   the one password thread's queue and stall everyone else's login.
 */
import { AttemptThrottle } from "./attempt_throttle.ts";
import { RateLimited } from "../errors.ts";
import {
  LOGIN_BACKOFF_FIRST_MS,
  LOGIN_BACKOFF_PAIR_MAX_MS,
  LOGIN_BACKOFF_SHARED_MAX_MS,
  LOGIN_RATE_IP_MULTIPLIER,
  LOGIN_RATE_WINDOW_MS,
  REGISTER_RATE_WINDOW_MS,
} from "../limits.ts";
import { RateLimiter } from "../rate_limiter.ts";

export interface SignInGuardOptions {
  /** Free failed logins per account and address (0: no throttling at all). */
  loginLimit: number;
  /** Registrations per address per hour (0: off). */
  registerLimit: number;
  /** Password jobs one address may have in flight (Infinity: no bound). */
  jobsPerIp: number;
  now?: () => number;
}

/** A reserved login attempt: settle it once the password has been checked. */
export interface LoginAttempt {
  succeeded(): void;
  /** The check did not happen (an outage, a busy server): nothing is counted. */
  abandoned(): void;
}

export class SignInGuard {
  #byPair: AttemptThrottle;
  #byAccount: AttemptThrottle;
  #byIp: AttemptThrottle;
  #registrations: RateLimiter;
  #jobsByIp = new Map<string, number>();
  #jobsPerIp: number;

  constructor({ loginLimit, registerLimit, jobsPerIp, now = Date.now }: SignInGuardOptions) {
    this.#jobsPerIp = jobsPerIp;
    const throttle = (free: number, maxDelayMs: number) =>
      new AttemptThrottle({
        free,
        firstDelayMs: LOGIN_BACKOFF_FIRST_MS,
        maxDelayMs,
        windowMs: LOGIN_RATE_WINDOW_MS,
        now,
      });
    this.#byPair = throttle(loginLimit, LOGIN_BACKOFF_PAIR_MAX_MS);
    this.#byAccount = throttle(loginLimit * LOGIN_RATE_IP_MULTIPLIER, LOGIN_BACKOFF_SHARED_MAX_MS);
    this.#byIp = throttle(loginLimit * LOGIN_RATE_IP_MULTIPLIER, LOGIN_BACKOFF_SHARED_MAX_MS);
    this.#registrations = new RateLimiter({
      limit: registerLimit,
      windowMs: REGISTER_RATE_WINDOW_MS,
      now,
    });
  }

  /** Reserves a login attempt (counted as failed until settled), or throws RateLimited. */
  beginLogin(username: string, ip: string): LoginAttempt {
    const pair = `${username}\n${ip}`;
    const waitMs = Math.max(
      this.#byPair.retryAfterMs(pair),
      this.#byAccount.retryAfterMs(username),
      this.#byIp.retryAfterMs(ip),
    );
    throwIfLimited(waitMs, "Too many failed logins.");
    this.#byPair.reserve(pair);
    this.#byAccount.reserve(username);
    this.#byIp.reserve(ip);
    return {
      succeeded: () => {
        this.#byPair.succeeded(pair);
        this.#byAccount.succeeded(username);
        // The address may be shared: others' failures from it still count.
        this.#byIp.release(ip);
      },
      abandoned: () => {
        this.#byPair.release(pair);
        this.#byAccount.release(username);
        this.#byIp.release(ip);
      },
    };
  }

  /** Counts a registration from `ip` as it starts, or throws RateLimited. */
  beginRegistration(ip: string): void {
    throwIfLimited(
      this.#registrations.retryAfterMs(ip),
      "Too many new accounts from your network.",
    );
    this.#registrations.hit(ip);
  }

  /** Runs a password hash or check for `ip`, refusing more than a few at once per address. */
  async passwordJob<T>(ip: string, job: () => Promise<T>): Promise<T> {
    const inFlight = this.#jobsByIp.get(ip) ?? 0;
    if (inFlight >= this.#jobsPerIp) {
      throw new RateLimited(1, "Too many sign-ins at once from your network.");
    }
    this.#jobsByIp.set(ip, inFlight + 1);
    try {
      return await job();
    } finally {
      const left = (this.#jobsByIp.get(ip) ?? 1) - 1;
      if (left === 0) this.#jobsByIp.delete(ip);
      else this.#jobsByIp.set(ip, left);
    }
  }
}

function throwIfLimited(retryAfterMs: number, message: string): void {
  if (retryAfterMs > 0) throw new RateLimited(Math.ceil(retryAfterMs / 1000), message);
}
