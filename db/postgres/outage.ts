/**
 * Which errors of postgres.js (and of the socket under it) mean that PostgreSQL cannot be
 * reached right now, not that a query is wrong.
 */

/** Node-style socket errors and postgres.js connection errors. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);
/**
 * SQLSTATE 57P01–57P03 (admin_shutdown, crash_shutdown, cannot_connect_now) and class 08
 * (connection exceptions).
 */
const UNREACHABLE_STATES = /^57P0[1-3]$|^08/;
/** Deno's own socket errors, when the connection breaks under postgres.js. */
const SOCKET_ERROR_NAMES = new Set(["ConnectionRefused", "ConnectionReset", "BrokenPipe"]);

/** Whether a driver error says PostgreSQL is unreachable (restarting, connection lost). */
export function isPostgresOutage(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || UNREACHABLE_STATES.test(code))) {
    return true;
  }
  return typeof name === "string" && SOCKET_ERROR_NAMES.has(name);
}
