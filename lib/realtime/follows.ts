/**
 * Which bus keys (bus_frames.ts) this instance follows: counted per socket that needs them, so
 * a bus that routes by target (Redis, NATS) delivers here only the servers, users and sessions
 * with a socket here. A key no longer needed lingers a moment before it is dropped: a socket
 * that reconnects at once (a page reload) finds it still followed.
 *
 * On buses that carry everything to everyone (no `follow`) nothing is counted.
 */
import type { Bus } from "./bus.ts";

export class Follows {
  #bus?: Bus;
  #counts = new Map<string, number>();
  /** Keys followed or being followed: what their follow call resolves with. */
  #followed = new Map<string, Promise<void>>();
  #lingering = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly lingerMs: number) {}

  /** The bus to follow keys on (keys held before it are followed now). */
  attach(bus: Bus): void {
    this.#bus = bus;
    if (bus.follow) this.#follow([...this.#counts.keys()]);
  }

  /** One more holder of each key; resolves once every key is heard (already or newly). */
  hold(keys: string[]): Promise<void> {
    if (!this.#bus?.follow) return Promise.resolve();
    const fresh: string[] = [];
    for (const key of keys) {
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
      const timer = this.#lingering.get(key);
      if (timer !== undefined) {
        clearTimeout(timer);
        this.#lingering.delete(key);
      }
      if (!this.#followed.has(key)) fresh.push(key);
    }
    this.#follow(fresh);
    return Promise.all(keys.map((key) => this.#followed.get(key))).then(() => {});
  }

  /** One holder fewer; a key nobody holds is dropped after the linger. */
  release(keys: string[]): void {
    if (!this.#bus?.follow) return;
    for (const key of keys) {
      const count = (this.#counts.get(key) ?? 0) - 1;
      if (count > 0) {
        this.#counts.set(key, count);
        continue;
      }
      this.#counts.delete(key);
      if (this.#lingering.has(key)) continue;
      this.#lingering.set(
        key,
        setTimeout(() => {
          this.#lingering.delete(key);
          if (this.#counts.has(key)) return;
          this.#followed.delete(key);
          this.#bus?.unfollow?.([key]);
        }, this.lingerMs),
      );
    }
  }

  /** Keys followed now (tests, metrics). */
  get keys(): string[] {
    return [...this.#followed.keys()];
  }

  close(): void {
    for (const timer of this.#lingering.values()) clearTimeout(timer);
    this.#lingering.clear();
  }

  #follow(keys: string[]): void {
    if (keys.length === 0 || !this.#bus?.follow) return;
    const following = this.#bus.follow(keys).catch((error) => {
      // The bus is down: the key stays followed, and is subscribed again when it is back.
      console.error("Could not follow bus keys (renewed on reconnect):", error);
    });
    for (const key of keys) this.#followed.set(key, following);
  }
}
