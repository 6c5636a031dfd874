/**
 * Reading a server's audit log (`view_audit_log`): pages newest first, `before` an entry id,
 * filtered by action and/or actor.
 */
import type { AuditEntryRecord, UserRecord } from "../../db/store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { memberAccess, requireServerPermission } from "../chat/membership.ts";
import { Invalid } from "../errors.ts";
import { AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX } from "../limits.ts";
import type { WireAuditEntry } from "../realtime/protocol.ts";
import { AUDIT_ACTIONS, isAuditAction } from "./audit_log_actions.ts";

/** The query string of `GET /api/servers/:id/audit-log` (absent or "": no bound, no filter). */
export interface AuditLogQuery {
  before?: string;
  limit?: string;
  action?: string;
  actorId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** API.md's audit entry. */
export function toWireAuditEntry(entry: AuditEntryRecord): WireAuditEntry {
  return {
    id: entry.id,
    action: entry.action,
    actorId: entry.actorId,
    targetType: entry.targetType,
    targetId: entry.targetId,
    reason: entry.reason,
    changes: entry.changes,
    createdAt: entry.createdAt.toISOString(),
  };
}

function limitOf(raw: string | undefined): number {
  if (raw === undefined || raw === "") return AUDIT_PAGE_DEFAULT;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= AUDIT_PAGE_MAX)) {
    throw new Invalid("invalid_limit", `limit must be from 1 to ${AUDIT_PAGE_MAX}: got "${raw}".`);
  }
  return limit;
}

/** An id parameter: a UUID (entry and user ids are), lowercased as stored. */
function idOf(raw: string | undefined, name: string, code: "invalid_cursor" | "invalid_actor") {
  if (raw === undefined || raw === "") return undefined;
  if (!UUID.test(raw)) throw new Invalid(code, `${name} must be an id: got "${raw}".`);
  return raw.toLowerCase();
}

function actionOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!isAuditAction(raw)) {
    throw new Invalid(
      "invalid_action",
      `action must be one of ${AUDIT_ACTIONS.join(", ")}: got "${raw}".`,
    );
  }
  return raw;
}

export class AuditLogService {
  constructor(readonly deps: ChatDeps) {}

  /** A page of the log, newest first. */
  async list(user: UserRecord, serverId: string, query: AuditLogQuery): Promise<WireAuditEntry[]> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "view_audit_log", "read the audit log");
    const entries = await this.deps.store.listAuditLog(serverId, {
      limit: limitOf(query.limit),
      before: idOf(query.before, "before", "invalid_cursor"),
      action: actionOf(query.action),
      actorId: idOf(query.actorId, "actorId", "invalid_actor"),
    });
    return entries.map(toWireAuditEntry);
  }
}
