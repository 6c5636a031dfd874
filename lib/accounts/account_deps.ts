/**
 * What every account service is built from (the store, the security log, a clock, the password
 * work under the sign-in guard, and who to tell when a session ends), and the identities they
 * take.
 */
import type { Store, UserRecord } from "../../db/store.ts";
import { SESSION_USER_AGENT_MAX } from "../limits.ts";
import type { GuardedPasswords } from "./guarded_passwords.ts";
import type { SecurityLog } from "./security_log.ts";

export interface AccountDeps {
  store: Store;
  log: SecurityLog;
  now: () => number;
  /** bcrypt within the sign-in guard's limits (guarded_passwords.ts). */
  passwords: GuardedPasswords;
  /** Told when a session ends, so its open sockets can be closed. */
  onSessionEnded: (sessionId: string) => void;
}

/** Who is asking: the address limits and the log use, and the client a session remembers. */
export interface ClientInfo {
  ip: string;
  /** The `User-Agent` header, if any. */
  userAgent?: string;
}

/** A request's verified identity. */
export interface Authenticated {
  user: UserRecord;
  sessionId: string;
}

/** Accepts the older bare-address form, so callers that have no User-Agent keep working. */
export function clientInfo(client: ClientInfo | string): { ip: string; userAgent: string } {
  const { ip, userAgent = "" } = typeof client === "string" ? { ip: client } : client;
  return { ip, userAgent: userAgent.slice(0, SESSION_USER_AGENT_MAX) };
}
