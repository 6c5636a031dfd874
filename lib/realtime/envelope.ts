/**
 * What travels on the bus between app instances: an event and who should get it.
 * Serialised as JSON by the shared buses (bus_frames.ts); passed as is in one process.
 */
import type { ServerEvent } from "./protocol.ts";

export type Target =
  /**
   * Every socket of every member of these servers (each socket once); with `channel`, only the
   * sockets whose user may view that channel (of those servers) now.
   */
  | { servers: string[]; channel?: string }
  /** Every socket of one user. */
  | { user: string }
  /** The sockets of one login session. */
  | { session: string };

export interface Envelope {
  target: Target;
  event: ServerEvent;
  /** For `message` events: the channel order that receivers restore before delivery. */
  order?: { channelId: string; seq: number };
  /** The instance that published it (presence bookkeeping, skipping our own echo). */
  origin?: string;
  /** In-process only, never serialised: the socket that gets an `ack` instead. */
  skipSocket?: number;
}

/**
 * Between instances only, never sent to a socket: "this instance is alive", with the users who
 * have a socket on it (left out past INSTANCE_HEARTBEAT_USERS_MAX): an instance hears presence
 * events only for the servers it follows (Redis, NATS), or only since it started.
 */
export interface InstanceEvent {
  type: "heartbeat";
  users?: string[];
  /** Of `users`, those whose pages here are all hidden (page_visibility.ts). */
  hidden?: string[];
}

/** Between instances: the user's sockets on the origin are now all hidden, or not any more. */
export interface PageVisibilityEvent {
  type: "page_visibility";
  userId: string;
  hidden: boolean;
}

/** An envelope every instance hears (whatever it follows), for the instances themselves. */
export interface InstanceEnvelope {
  target: { instances: true };
  event: InstanceEvent | PageVisibilityEvent;
  origin?: string;
  order?: undefined;
  skipSocket?: undefined;
}

/** Anything a bus carries: for sockets, or for the instances. */
export type BusEnvelope = Envelope | InstanceEnvelope;

/** Publishes an envelope to every instance (this one included). */
export type Publish = (envelope: Envelope) => void;
