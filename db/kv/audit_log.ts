/**
 * A server's audit log on Deno KV: `["audit", serverId, entryId]`. Entry ids are UUIDv7, so a
 * reverse scan is newest first and `before` is the scan's (exclusive) end key. Filters are
 * applied while scanning: a page of a rare action reads until it has `limit` entries or the log
 * ends.
 */
import type { AuditEntryRecord, AuditQuery } from "../governance_store.ts";
import { serverKeyOf } from "./governance_keys.ts";

/** Entries the scan asks KV for at a time when filters may drop many. */
const SCAN_BATCH = 200;

/** A page of the server's audit log, newest first (none for a deleted server). */
export async function listAuditLog(
  kv: Deno.Kv,
  serverId: string,
  query: AuditQuery,
): Promise<AuditEntryRecord[]> {
  const prefix = ["audit", serverId];
  const selector = query.before === undefined
    ? { prefix }
    : { prefix, end: [...prefix, query.before] };
  const filtered = query.action !== undefined || query.actorId !== undefined;
  const scan = async () => {
    const entries: AuditEntryRecord[] = [];
    if (query.limit <= 0) return entries;
    const listed = kv.list<AuditEntryRecord>(selector, {
      reverse: true,
      batchSize: filtered ? SCAN_BATCH : Math.min(query.limit, 500),
      limit: filtered ? undefined : query.limit,
    });
    for await (const { value } of listed) {
      if (query.action !== undefined && value.action !== query.action) continue;
      if (query.actorId !== undefined && value.actorId !== query.actorId) continue;
      entries.push(value);
      if (entries.length >= query.limit) break;
    }
    return entries;
  };
  const [server, entries] = await Promise.all([kv.get(serverKeyOf(serverId)), scan()]);
  return server.versionstamp === null ? [] : entries;
}
