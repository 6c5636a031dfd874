/**
 * How the KV store's modules write and read in bulk: single writes that wait out SQLite's lock,
 * optimistic read-check-commit loops, and `getMany` over any number of keys, all within Deno
 * KV's limits (below).
 */
import { backOff, retry, TRY_AGAIN } from "../retry.ts";
import { StoreUnavailable } from "../unavailable.ts";
import { isLocked } from "./locked.ts";

/** `getMany` reads at most this many keys per call. */
export const GET_MANY_LIMIT = 10;
/** One atomic commit carries at most this many mutations… */
export const COMMIT_MUTATIONS_MAX = 1000;
/** …and at most this many checks. */
export const COMMIT_CHECKS_MAX = 100;

/** Optimistic updates retry this often before giving up (only under heavy contention). */
const MAX_COMMIT_ATTEMPTS = 20;
/** Tries of a single write while the local file is locked by another handle (see whenUnlocked). */
const LOCKED_WRITE_ATTEMPTS = 20;
/** The longest pause before trying again after meeting the lock, in ms. */
const LOCKED_BACK_OFF_MS = 20;

/**
 * Runs a single write, waiting out SQLite's "database is locked" (another handle on the same
 * local file is writing at this instant) for up to LOCKED_WRITE_ATTEMPTS short, jittered
 * pauses: a moment's lock is no reason to fail a user's request. After that the error goes
 * up (the store's boundary makes it StoreUnavailable, and the request gets a 503).
 */
export function whenUnlocked<T>(write: () => Promise<T>): Promise<T> {
  return retry(write, {
    attempts: LOCKED_WRITE_ATTEMPTS,
    isRetryable: isLocked,
    maxBackOffMs: LOCKED_BACK_OFF_MS,
  });
}

/**
 * A read-check-commit that tries again when another writer changed what it read (the try
 * returns TRY_AGAIN) or the file was locked (another handle is writing), each time after a
 * short jittered pause, MAX_COMMIT_ATTEMPTS tries in all. The pause matters: writers that read
 * together and retry at once read together again, and only one of them wins each round (eight
 * joins by one invite on a loaded machine ran out of tries, a 500). Still losing at the last
 * try is contention beyond what a request should wait for: StoreUnavailable (503, try again).
 */
export function optimistically<T>(
  what: string,
  attempt: () => Promise<T | typeof TRY_AGAIN>,
): Promise<T> {
  return retry(async (index) => {
    try {
      return await attempt();
    } catch (error) {
      if (!isLocked(error) || index >= MAX_COMMIT_ATTEMPTS - 1) throw error;
      await backOff(index, LOCKED_BACK_OFF_MS);
      return TRY_AGAIN;
    }
  }, {
    attempts: MAX_COMMIT_ATTEMPTS,
    maxBackOffMs: LOCKED_BACK_OFF_MS,
    exhausted: () =>
      new StoreUnavailable(
        new Error(`Could not ${what}: ${MAX_COMMIT_ATTEMPTS} conflicting writes`),
      ),
  });
}

/** `getMany` for any number of keys, in order (the calls go together). */
export async function getEntries<T>(
  kv: Deno.Kv,
  keys: Deno.KvKey[],
): Promise<Deno.KvEntryMaybe<T>[]> {
  const chunks = [];
  for (let i = 0; i < keys.length; i += GET_MANY_LIMIT) {
    chunks.push(kv.getMany<T[]>(keys.slice(i, i + GET_MANY_LIMIT)));
  }
  return (await Promise.all(chunks)).flat();
}

/** The values of any number of keys, in order (null where there is none). */
export async function getAll<T>(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<(T | null)[]> {
  return (await getEntries<T>(kv, keys)).map((entry) => entry.value);
}

/** Every entry under a prefix, in key order. */
export async function listAll<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
  const entries: Deno.KvEntry<T>[] = [];
  for await (const entry of kv.list<T>({ prefix })) entries.push(entry);
  return entries;
}

/** Deletes keys in commits of at most `perCommit` (not atomic as a whole: for what is unreachable). */
export async function deleteInBatches(
  kv: Deno.Kv,
  keys: Deno.KvKey[],
  perCommit = COMMIT_MUTATIONS_MAX,
): Promise<void> {
  for (let i = 0; i < keys.length; i += perCommit) {
    let op = kv.atomic();
    for (const key of keys.slice(i, i + perCommit)) op = op.delete(key);
    await whenUnlocked(() => op.commit());
  }
}

export { TRY_AGAIN };
