/**
 * Instance liveness on every bus: each instance publishes a heartbeat to all the others every
 * `intervalMs`, and forgets another one not heard of for `expiryMs` (`onExpired`): a process that
 * was killed, or cut off, sends no "offline" for its users, and without this they would stay
 * online everywhere else for ever.
 */
import type { InstanceEnvelope } from "./envelope.ts";

export interface HeartbeatOptions {
  instanceId: string;
  publish(envelope: InstanceEnvelope): void;
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

  /** Another instance is alive (a heartbeat or presence from it). */
  saw(origin: string): void {
    if (origin !== this.#options.instanceId) this.#lastSeen.set(origin, Date.now());
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  #beat(): void {
    this.#options.publish({
      target: { instances: true },
      event: { type: "heartbeat" },
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
