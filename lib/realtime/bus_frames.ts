/**
 * Framing shared by the buses that route by target (Redis, NATS): the key of each target (one
 * channel or subject per server, user and session, and one every instance hears), the JSON
 * frame an envelope travels in, and the receiving side's checks (our own echo, a frame heard
 * twice).
 *
 * An envelope for several servers is published once per server: an instance following two of
 * them hears it twice, and keeps the first (by the frame's id).
 */
import { BUS_RECENT_FRAMES } from "../limits.ts";
import type { BusEnvelope, Target } from "./envelope.ts";

/** The key every instance follows (heartbeats). */
export const INSTANCES_KEY = "i";

/** The key of a server's, a user's or a session's events. */
export function serverKey(serverId: string): string {
  return `s.${token(serverId)}`;
}
export function userKey(userId: string): string {
  return `u.${token(userId)}`;
}
export function sessionKey(sessionId: string): string {
  return `x.${token(sessionId)}`;
}

/** The keys an envelope is published under (each server of a multi-server target). */
export function targetKeys(target: Target | { instances: true }): string[] {
  if ("instances" in target) return [INSTANCES_KEY];
  if ("user" in target) return [userKey(target.user)];
  if ("session" in target) return [sessionKey(target.session)];
  return target.servers.map(serverKey);
}

/**
 * An id as one token of a NATS subject or Redis channel: ids are UUIDs, anything else (a dot,
 * a wildcard, a space) is hex-encoded so it cannot reach another target's subject.
 */
function token(id: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(id)) return id;
  return "~" + [...new TextEncoder().encode(id)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** What goes over the wire: the frame's id, who sent it, and the envelope (no local fields). */
interface Frame {
  id: string;
  origin: string;
  envelope: Omit<BusEnvelope, "skipSocket" | "origin">;
}

/** An envelope as a frame's JSON, with the frame's id (unique per publish). */
export function encodeFrame(origin: string, envelope: BusEnvelope): { id: string; text: string } {
  const { skipSocket: _local, origin: _origin, ...shared } = envelope;
  const id = crypto.randomUUID();
  return { id, text: JSON.stringify({ id, origin, envelope: shared } satisfies Frame) };
}

/**
 * The receiving end: drops our own frames (each bus hands its own envelopes to the hub at once)
 * and frames already heard, and dispatches the rest with their origin.
 */
export class FrameReceiver {
  #recent = new Set<string>();

  constructor(
    private readonly instanceId: string,
    private readonly dispatch: (envelope: BusEnvelope) => void,
  ) {}

  /** Handles one frame's text; false if it was dropped (ours, heard before, or malformed). */
  receive(text: string): boolean {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch (error) {
      console.error("Dropped a malformed bus frame:", error);
      return false;
    }
    if (frame.origin === this.instanceId || this.#seen(frame.id)) return false;
    try {
      this.dispatch({ ...frame.envelope, origin: frame.origin } as BusEnvelope);
    } catch (error) {
      console.error("Dropped a bus event:", error);
    }
    return true;
  }

  /** True if the id was heard among the last BUS_RECENT_FRAMES; notes it. */
  #seen(id: string): boolean {
    if (this.#recent.has(id)) return true;
    this.#recent.add(id);
    if (this.#recent.size > BUS_RECENT_FRAMES) {
      this.#recent.delete(this.#recent.values().next().value!);
    }
    return false;
  }
}
