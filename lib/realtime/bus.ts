/**
 * The bus carries envelopes between app instances. Every implementation delivers to this
 * instance's hub at once (no round trip) and to the other instances as it can.
 */
import type { BusEnvelope } from "./envelope.ts";

export interface Bus {
  publish(envelope: BusEnvelope): void;
  /**
   * Buses that route by target (Redis, NATS) deliver an instance only the keys it follows
   * (bus_frames.ts): the hub follows a server, user or session while it has a socket for it.
   * Resolves once the keys are heard. Buses that carry everything to everyone leave it out.
   */
  follow?(keys: string[]): Promise<void>;
  /** Stops hearing these keys. */
  unfollow?(keys: string[]): void;
  close(): Promise<void>;
}

/** One instance: the hub is the whole world. */
export class LocalBus implements Bus {
  constructor(readonly dispatch: (envelope: BusEnvelope) => void) {}

  publish(envelope: BusEnvelope): void {
    this.dispatch(envelope);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
