/** What the hub needs of a socket: who it is, how to send it text, how to close it. */
export interface Subscriber {
  /** Unique per process. */
  readonly id: number;
  readonly userId: string;
  readonly sessionId: string;
  /** Sends an already-serialised frame; `order` lets the socket keep per-channel order. */
  deliver(text: string, order?: { channelId: string; seq: number }): void;
  close(code: number, reason: string): void;
}
