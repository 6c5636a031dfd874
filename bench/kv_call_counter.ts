/**
 * Counts the calls a Deno KV handle receives: Deno KV is embedded (SQLite), so its round trips
 * are calls into it (`get`, `getMany`, `list`, an atomic `commit`, …). Wraps a `Deno.Kv` in a
 * Proxy that tallies each call under a label naming the operation and the first part of its key
 * (`get channel_seq`, `list server_channels`), then forwards it unchanged.
 */

/** Tallies by label, and how to read them. */
export interface CallTally {
  /** Calls per label so far. */
  readonly counts: Map<string, number>;
  /** A copy of `counts` (to subtract a later one from). */
  snapshot(): Map<string, number>;
}

/** `after − before` per label, zero differences left out. */
export function difference(
  after: Map<string, number>,
  before: Map<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [label, count] of after) {
    const delta = count - (before.get(label) ?? 0);
    if (delta !== 0) out.set(label, delta);
  }
  return out;
}

/** A new, empty tally. */
export function newTally(): CallTally {
  const counts = new Map<string, number>();
  return {
    counts,
    snapshot: () => new Map(counts),
  };
}

function add(tally: CallTally, label: string): void {
  tally.counts.set(label, (tally.counts.get(label) ?? 0) + 1);
}

/** The first part of each key, deduplicated (what a call touched). */
function prefixes(keys: Deno.KvKey[]): string {
  return [...new Set(keys.map((key) => String(key[0])))].join(",");
}

function listLabel(selector: Deno.KvListSelector): string {
  const key = "prefix" in selector ? selector.prefix : "start" in selector ? selector.start : [];
  return `list ${String(key[0] ?? "")}`;
}

/** An atomic operation whose `commit` counts (its builder methods return the wrapper). */
function countingAtomic(op: Deno.AtomicOperation, tally: CallTally): Deno.AtomicOperation {
  const wrapper: Deno.AtomicOperation = new Proxy(op, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "commit") add(tally, "atomic commit");
        const result = value.apply(target, args);
        return result === target ? wrapper : result;
      };
    },
  });
  return wrapper;
}

/** `kv` with every call counted in `tally` (methods run on the real handle: its #fields work). */
export function countingKv(kv: Deno.Kv, tally: CallTally): Deno.Kv {
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        switch (property) {
          case "get":
          case "set":
          case "delete":
            add(tally, `${property} ${String((args[0] as Deno.KvKey)[0])}`);
            break;
          case "getMany":
            add(tally, `getMany ${prefixes(args[0] as Deno.KvKey[])}`);
            break;
          case "list":
            // One call, though Deno reads a list in batches (100 entries by default).
            add(tally, listLabel(args[0] as Deno.KvListSelector));
            break;
          case "atomic":
            return countingAtomic(value.apply(target, args), tally);
          case "close":
            break;
          default:
            add(tally, String(property));
        }
        return value.apply(target, args);
      };
    },
  });
}

/**
 * `object` with every method call counted in `tally` under the method's name (calls the object
 * makes on itself are not seen). Methods run on the real object, so its #fields work. The
 * Proxy's target is a stand-in: a store may define its methods as read-only own properties
 * (db/outage_boundary.ts), which a Proxy over it could not replace.
 */
export function countingCalls<T extends object>(object: T, tally: CallTally): T {
  return new Proxy(Object.create(Object.getPrototypeOf(object)) as T, {
    get(_, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        add(tally, String(property));
        return value.apply(object, args);
      };
    },
  });
}
