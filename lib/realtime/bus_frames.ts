/**
 * Framing shared by the buses that route by target (Redis, NATS): the key of each target (one
 * channel or subject per server, user and session, and one every instance hears), the JSON
 * frame an envelope travels in, and the receiving side's checks (our own echo, a frame heard
 * twice).
 *
 * An envelope for several servers is published once per server: an instance following two of
 * them hears it twice, and keeps the first (by the frame's id).
 *
 * A transport with a payload limit (NATS: 1 MB by default) sends a larger frame as parts
 * (`splitFrame`), each a JSON object of its own on the same key; the receiver puts them back
 * together by the frame's id, whatever else arrives between them.
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

/** One part of a frame's JSON (`index` of `count`, all sharing the frame's `id`). */
interface FramePart {
  part: { id: string; origin: string; index: number; count: number; text: string };
}

/** Frames being put back together at once; the oldest is given up past it (a lost part). */
const PENDING_FRAMES = 64;

/** UTF-8 bytes of a JSON part besides its text: the ids, the counts, the keys. */
const PART_OVERHEAD_BYTES = 256;

/**
 * The frame's text as one payload when it fits in `maxBytes` of UTF-8, else as parts that each
 * do: a part's text is at most a third of the room in UTF-16 units (a unit is at most 3 bytes
 * of UTF-8, and JSON escapes a quote or backslash to 2; a surrogate pair cut at an edge is
 * escaped to 6 bytes a half, which the overhead covers).
 */
export function splitFrame(origin: string, id: string, text: string, maxBytes: number): string[] {
  if (text.length * 3 <= maxBytes || new TextEncoder().encode(text).length <= maxBytes) {
    return [text];
  }
  const units = Math.max(1, Math.floor((maxBytes - PART_OVERHEAD_BYTES) / 3));
  const count = Math.ceil(text.length / units);
  return Array.from({ length: count }, (_, index) =>
    JSON.stringify(
      {
        part: { id, origin, index, count, text: text.slice(index * units, (index + 1) * units) },
      } satisfies FramePart,
    ));
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
  /** Frames arriving in parts: the texts so far, by frame id (insertion order: oldest first). */
  #pending = new Map<string, { texts: string[]; received: number }>();

  constructor(
    private readonly instanceId: string,
    private readonly dispatch: (envelope: BusEnvelope) => void,
  ) {}

  /** Handles one frame's text; false if it was dropped (ours, heard before, or malformed). */
  receive(text: string): boolean {
    let frame: Frame | FramePart;
    try {
      frame = JSON.parse(text) as Frame | FramePart;
    } catch (error) {
      console.error("Dropped a malformed bus frame:", error);
      return false;
    }
    if ("part" in frame) {
      const whole = this.#assemble(frame.part);
      return whole === undefined ? false : this.receive(whole);
    }
    if (frame.origin === this.instanceId || this.#seen(frame.id)) return false;
    try {
      this.dispatch({ ...frame.envelope, origin: frame.origin } as BusEnvelope);
    } catch (error) {
      console.error("Dropped a bus event:", error);
    }
    return true;
  }

  /** Keeps a part; the frame's whole text once every part is in (never our own). */
  #assemble(part: FramePart["part"]): string | undefined {
    if (part.origin === this.instanceId || this.#recent.has(part.id)) return undefined;
    let entry = this.#pending.get(part.id);
    if (!entry) {
      entry = { texts: new Array<string>(part.count), received: 0 };
      this.#pending.set(part.id, entry);
      if (this.#pending.size > PENDING_FRAMES) {
        const [oldest] = this.#pending.keys();
        this.#pending.delete(oldest);
        console.error("Dropped a bus frame still missing parts:", oldest);
      }
    }
    if (entry.texts[part.index] === undefined) entry.received++;
    entry.texts[part.index] = part.text;
    if (entry.received < part.count) return undefined;
    this.#pending.delete(part.id);
    return entry.texts.join("");
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
