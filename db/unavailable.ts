/**
 * The one error a store throws when its database cannot be reached right now (restarting,
 * connection lost, a local KV file locked past the retries), as opposed to a bug. Callers
 * answer it with 503 `unavailable` (HTTP) or a retryable `error` frame (WebSocket) and carry on;
 * nothing above the stores looks at driver errors.
 */

export const UNAVAILABLE_MESSAGE = "The database is unavailable for a moment; try again.";

/** The database is away for a moment; the driver's error is the `cause`. */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(UNAVAILABLE_MESSAGE, { cause });
    this.name = "StoreUnavailable";
  }
}

/** Whether an error is a store saying its database is away (see StoreUnavailable). */
export function isStoreUnavailable(error: unknown): error is StoreUnavailable {
  return error instanceof StoreUnavailable;
}
