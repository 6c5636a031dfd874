/**
 * The bus carries envelopes between app instances. Every implementation delivers to this
 * instance's hub at once (no round trip) and to the other instances as it can.
 */
import type { Envelope } from "./envelope.ts";

export interface Bus {
  publish(envelope: Envelope): void;
  close(): Promise<void>;
}

/** One instance: the hub is the whole world. */
export class LocalBus implements Bus {
  constructor(readonly dispatch: (envelope: Envelope) => void) {}

  publish(envelope: Envelope): void {
    this.dispatch(envelope);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
