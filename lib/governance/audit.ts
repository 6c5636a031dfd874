/**
 * Building audit log entries (API.md's audit entry). Services make the entry before the change
 * and hand both to one store call, which commits them together (db/governance_store.ts).
 */
import { v7 as uuidv7 } from "uuid";
import type { AuditChange, AuditEntryRecord } from "../../db/store.ts";

/** What a service says about a change; the id and time are added here. */
export type AuditInput = Omit<AuditEntryRecord, "id" | "createdAt" | "changes" | "reason"> & {
  reason?: string | null;
  changes?: AuditChange[];
};

const last = { msecs: -Infinity, seq: 0 };

/**
 * A UUIDv7 for `now` that sorts after every id made before it in this process: the uuid
 * package's own monotonic counter is skipped when `msecs` is given, so two entries of one
 * millisecond would list in random order. (Across instances ties within a ms stay unordered.)
 */
function timeOrderedId(now: number): string {
  if (now > last.msecs) {
    last.msecs = now;
    last.seq = crypto.getRandomValues(new Uint32Array(1))[0] >>> 2; // room to count up
  } else {
    last.seq = (last.seq + 1) >>> 0;
  }
  return uuidv7({ msecs: last.msecs, seq: last.seq });
}

/** An entry stamped with a time-ordered id (newest first = descending id) and `now`. */
export function auditEntry(now: number, input: AuditInput): AuditEntryRecord {
  return {
    ...input,
    id: timeOrderedId(now),
    reason: input.reason ?? null,
    changes: input.changes ?? [],
    createdAt: new Date(now),
  };
}

/**
 * The keys of `patch` whose value differs from `before`'s, as audit changes (values compared
 * as JSON, so arrays of permission names compare by content).
 */
export function changesOf<T extends object>(before: T, patch: Partial<T>): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const key of Object.keys(patch) as (keyof T & string)[]) {
    const old = before[key] ?? null;
    const next = patch[key] ?? null;
    if (JSON.stringify(old) !== JSON.stringify(next)) changes.push({ key, old, new: next });
  }
  return changes;
}
