/**
 * Instance liveness on every bus: each instance publishes a heartbeat to all the others every
 * `intervalMs`, and forgets another one not heard of for `expiryMs` (`onExpired`): a process that
 * was killed, or cut off, sends no "offline" for its users, and without this they would stay
 * online everywhere else for ever.
 *
 * Each heartbeat lists the instance's online users (`users`). An instance heard of for the first
 * time (just started, or back after being taken for dead) is answered with a beat soon, so it
 * learns who is online without waiting a whole interval.
 */
import type { InstanceEnvelope } from "./envelope.ts";

export interface HeartbeatOptions {
  instanceId: string;
  publish(envelope: InstanceEnvelope): void;
  /** The users with a socket here now, or undefined when there are too many to list. */
  users(): string[] | undefined;
  /** Of those, the users whose pages here are all hidden (sent along with `users`). */
  hidden?(): string[];
  /** An instance went silent for longer than `expiryMs`. */
  onExpired(origin: string): void;
  intervalMs: number;
  expiryMs: number;
}

export class InstanceHeartbeats {
  #options: HeartbeatOptions;
  /** Other instances: when each was last heard of (ms). */
  #lastSeen = new Map<string, number>();
  #timers: ReturnType<typeof setInterval>[] = [];
  /** A beat answering an instance heard of for the first time, while one is due. */
  #answer?: ReturnType<typeof setTimeout>;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
  }

  /** Beats now and every interval; checks for silent instances three times an interval. */
  start(): void {
    if (this.#timers.length > 0) return;
    const { intervalMs } = this.#options;
    this.#beat();
    this.#timers.push(
      setInterval(() => this.#beat(), intervalMs),
      setInterval(() => this.#expire(), Math.max(1, Math.floor(intervalMs / 3))),
    );
  }

  /** Another instance is alive (a heartbeat or presence from it); true if it is new to us. */
  saw(origin: string): boolean {
    if (origin === this.#options.instanceId) return false;
    const fresh = !this.#lastSeen.has(origin);
    this.#lastSeen.set(origin, Date.now());
    if (fresh && this.#timers.length > 0 && this.#answer === undefined) {
      // Several newcomers at once get one answer.
      this.#answer = setTimeout(() => {
        this.#answer = undefined;
        this.#beat();
      }, 0);
    }
    return fresh;
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    clearTimeout(this.#answer);
    this.#answer = undefined;
  }

  #beat(): void {
    const users = this.#options.users();
    this.#options.publish({
      target: { instances: true },
      event: users === undefined ? { type: "heartbeat" } : {
        type: "heartbeat",
        users,
        ...(this.#options.hidden ? { hidden: this.#options.hidden() } : {}),
      },
      origin: this.#options.instanceId,
    });
  }

  #expire(): void {
    const before = Date.now() - this.#options.expiryMs;
    for (const [origin, seen] of this.#lastSeen) {
      if (seen >= before) continue;
      this.#lastSeen.delete(origin);
      this.#options.onExpired(origin);
    }
  }
}
