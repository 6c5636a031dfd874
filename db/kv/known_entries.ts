/**
 * What this instance last read or wrote of a few hot keys (channel counters, memberships), with
 * their versionstamps, so that an append can check them in its commit instead of reading them
 * first: a batch of sends is then one atomic commit and no read. Nothing here is trusted beyond
 * that check: if another writer (another instance, a membership change) moved a key since, the
 * commit fails, the caller forgets the keys and reads them again.
 */
export class KnownEntries {
  #entries = new Map<string, Deno.KvEntryMaybe<unknown>>();

  /** `capacity`: entries kept at most (the oldest go first). */
  constructor(private readonly capacity: number) {}

  get(key: Deno.KvKey): Deno.KvEntryMaybe<unknown> | undefined {
    return this.#entries.get(idOf(key));
  }

  remember(entry: Deno.KvEntryMaybe<unknown>): void {
    const id = idOf(entry.key);
    this.#entries.delete(id);
    if (this.#entries.size >= this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(id, entry);
  }

  forget(key: Deno.KvKey): void {
    this.#entries.delete(idOf(key));
  }
}

/** A key as a map key (its parts are strings and numbers: JSON tells them apart). */
export const idOf = (key: Deno.KvKey): string => JSON.stringify(key);
