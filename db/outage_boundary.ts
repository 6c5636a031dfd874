/**
 * Where a store's driver errors stop: every method of the store, called from outside, throws
 * StoreUnavailable instead of a driver error that `isOutage` recognises, and any other error
 * as it is. Each backend says which of its driver's errors are outages.
 */
import { StoreUnavailable } from "./unavailable.ts";

/** Translates an outage into StoreUnavailable; any other error stays as it is. */
function translated(error: unknown, isOutage: (error: unknown) => boolean): unknown {
  return !(error instanceof StoreUnavailable) && isOutage(error)
    ? new StoreUnavailable(error)
    : error;
}

/**
 * Wraps every method of the store's class (they all return promises) on the instance itself,
 * so that private fields keep working and `instanceof` still holds. Call it from the
 * constructor.
 */
export function guardOutages(store: object, isOutage: (error: unknown) => boolean): void {
  const prototype = Object.getPrototypeOf(store);
  for (const name of Object.getOwnPropertyNames(prototype)) {
    // Accessors are left alone (reading one here would run it on the prototype).
    const method = Object.getOwnPropertyDescriptor(prototype, name)?.value;
    if (name === "constructor" || typeof method !== "function") continue;
    Object.defineProperty(store, name, {
      value: async (...args: unknown[]) => {
        try {
          return await method.apply(store, args);
        } catch (error) {
          throw translated(error, isOutage);
        }
      },
    });
  }
}
