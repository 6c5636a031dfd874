/**
 * Whether a KV error is SQLite saying that another handle on the same local file holds it at
 * this instant ("database is locked", SQLITE_BUSY; "database table is locked", SQLITE_LOCKED):
 * a reason to wait a moment and try again, not a failure.
 */
export function isLocked(error: unknown): boolean {
  return /database (table )?is locked/.test(String(error));
}

/**
 * Whether a KV error means the database is away: locked still after the retries, or closed
 * (the handle is gone: Deno answers "Bad resource ID").
 */
export function isKvOutage(error: unknown): boolean {
  return isLocked(error) || error instanceof Deno.errors.BadResource;
}
