/**
 * Who may open another WebSocket: at most WS_SOCKETS_PER_IP per address, and, among sockets
 * not yet authenticated, WS_ANONYMOUS_PER_IP per address and WS_ANONYMOUS_MAX in all. Ten
 * unauthenticated sockets sending 60 MiB frames took the server from 165 to 665 MB: Deno reads
 * a frame whole before the app sees its size, so the bound is on such sockets' number.
 */
import { WS_ANONYMOUS_MAX, WS_ANONYMOUS_PER_IP, WS_SOCKETS_PER_IP } from "../limits.ts";

/** An admitted socket: say when it authenticates and when it is gone. */
export interface SocketTicket {
  authenticated(): void;
  closed(): void;
}

export class SocketAdmission {
  /** `bounded: false` admits everything (`RATE_LIMITS=off`: a load generator is one address). */
  constructor(private readonly bounded = true) {}

  #open = new Map<string, number>();
  #anonymous = new Map<string, number>();
  #anonymousTotal = 0;

  /** A ticket for a new socket from `ip`, or why it is refused. */
  admit(ip: string, authenticated: boolean): SocketTicket | { refused: string } {
    if (!this.bounded) return UNBOUNDED;
    if ((this.#open.get(ip) ?? 0) >= WS_SOCKETS_PER_IP) {
      return { refused: `At most ${WS_SOCKETS_PER_IP} connections per address.` };
    }
    if (
      !authenticated &&
      ((this.#anonymous.get(ip) ?? 0) >= WS_ANONYMOUS_PER_IP ||
        this.#anonymousTotal >= WS_ANONYMOUS_MAX)
    ) {
      return { refused: "Too many connections waiting to authenticate; log in first." };
    }
    bump(this.#open, ip, 1);
    let anonymous = !authenticated;
    if (anonymous) this.#countAnonymous(ip, 1);
    let closed = false;
    return {
      authenticated: () => {
        if (!anonymous) return;
        anonymous = false;
        this.#countAnonymous(ip, -1);
      },
      closed: () => {
        if (closed) return;
        closed = true;
        bump(this.#open, ip, -1);
        if (anonymous) this.#countAnonymous(ip, -1);
      },
    };
  }

  #countAnonymous(ip: string, by: number): void {
    bump(this.#anonymous, ip, by);
    this.#anonymousTotal += by;
  }
}

const UNBOUNDED: SocketTicket = { authenticated() {}, closed() {} };

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
