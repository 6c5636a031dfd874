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
import { RateLimited } from "../errors.ts";
import {
  LOGIN_BACKOFF_FIRST_MS,
  LOGIN_BACKOFF_PAIR_MAX_MS,
  LOGIN_BACKOFF_SHARED_MAX_MS,
  LOGIN_RATE_IP_MULTIPLIER,
  LOGIN_RATE_WINDOW_MS,
  REGISTER_RATE_WINDOW_MS,
} from "../limits.ts";
import { memoryRateLimits } from "../rate_limits/rate_limits.ts";
import type {
  AttemptThrottles,
  RateLimitBackend,
  WindowLimit,
} from "../rate_limits/rate_limits.ts";

export interface SignInGuardOptions {
  /** Free failed logins per account and address (0: no throttling at all). */
  loginLimit: number;
  /** Registrations per address per hour (0: off). */
  registerLimit: number;
  /** Password jobs one address may have in flight (Infinity: no bound). */
  jobsPerIp: number;
  now?: () => number;
  /** Where the counts live (default: this process's memory, on `now`). */
  rateLimits?: RateLimitBackend;
}

/** A reserved login attempt: settle it once the password has been checked. */
export interface LoginAttempt {
  succeeded(): void;
  /** The check did not happen (an outage, a busy server): nothing is counted. */
  abandoned(): void;
}

/** The throttles of one login attempt, in the order `reserve` takes their keys. */
const PAIR = 0, ACCOUNT = 1, IP = 2;

export class SignInGuard {
  /** Per (account, address) pair, per account, per address (PAIR, ACCOUNT, IP). */
  #logins: AttemptThrottles;
  #registrations: WindowLimit;
  #jobsByIp = new Map<string, number>();
  #jobsPerIp: number;

  constructor(
    { loginLimit, registerLimit, jobsPerIp, now = Date.now, rateLimits }: SignInGuardOptions,
  ) {
    this.#jobsPerIp = jobsPerIp;
    const limits = rateLimits ?? memoryRateLimits(now);
    const throttle = (name: string, free: number, maxDelayMs: number) => ({
      name,
      free,
      firstDelayMs: LOGIN_BACKOFF_FIRST_MS,
      maxDelayMs,
      windowMs: LOGIN_RATE_WINDOW_MS,
    });
    const shared = loginLimit * LOGIN_RATE_IP_MULTIPLIER;
    this.#logins = limits.throttles([
      throttle("login_pair", loginLimit, LOGIN_BACKOFF_PAIR_MAX_MS),
      throttle("login_account", shared, LOGIN_BACKOFF_SHARED_MAX_MS),
      throttle("login_ip", shared, LOGIN_BACKOFF_SHARED_MAX_MS),
    ]);
    // Fails closed: with the shared count away, open registration would let one address farm
    // accounts through every instance.
    this.#registrations = limits.window({
      name: "register",
      limit: registerLimit,
      windowMs: REGISTER_RATE_WINDOW_MS,
      failOpen: false,
    });
  }

  /**
   * Reserves a login attempt (counted as failed until settled), or throws RateLimited; with the
   * shared counts away, `503 unavailable` (a guesser must not get unlimited tries).
   */
  async beginLogin(username: string, ip: string): Promise<LoginAttempt> {
    const pair = `${username}\n${ip}`;
    // Checked and reserved in one step: concurrent attempts, on any instance, see each other.
    const waitMs = await this.#logins.reserve([pair, username, ip]);
    throwIfLimited(waitMs, "Too many failed logins.");
    // Settling lowers counts and is not waited for: it is written in order before any later
    // check on this instance, and a lost one only leaves a count to expire with its window.
    return {
      succeeded: () => {
        void this.#logins.forget(PAIR, pair);
        void this.#logins.forget(ACCOUNT, username);
        // The address may be shared: others' failures from it still count.
        void this.#logins.release(IP, ip);
      },
      abandoned: () => {
        void this.#logins.release(PAIR, pair);
        void this.#logins.release(ACCOUNT, username);
        void this.#logins.release(IP, ip);
      },
    };
  }

  /** Counts a registration from `ip` as it starts, or throws RateLimited (503 if Redis is away). */
  async beginRegistration(ip: string): Promise<void> {
    throwIfLimited(await this.#registrations.take(ip), "Too many new accounts from your network.");
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
