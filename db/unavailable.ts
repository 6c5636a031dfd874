/**
 * Recognises errors that mean "the database is not reachable right now" (restarting, connection
 * lost) as opposed to bugs, so callers can answer 503 / a retryable error and carry on.
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
/** PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now (SQLSTATE class 57P). */
const POSTGRES_STATES = /^57P0[1-3]$|^08/;

export const UNAVAILABLE_MESSAGE = "The database is unavailable for a moment; try again.";

export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || POSTGRES_STATES.test(code))) {
    return true;
  }
  // A local Deno KV file another process (or handle) is writing to at this instant.
  if (String((error as { message?: unknown }).message ?? "").includes("database is locked")) {
    return true;
  }
  const name = (error as { name?: unknown }).name;
  return name === "ConnectionRefused" || name === "ConnectionReset" || name === "BrokenPipe";
}
