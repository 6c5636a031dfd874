/**
 * Roles on Deno KV (`["roles", serverId, roleId]`, db/kv/governance_keys.ts). Deleting a role
 * leaves its id in member records (a server may have thousands of members, one commit holds
 * 1000 mutations): every read of members drops ids of roles that are not stored
 * (`storedRoleIds`), and the role's overwrites go in the same commit when they fit (reads of
 * overwrites skip those of deleted roles too).
 */
import type { AuditEntryRecord, RolePatch, RoleRecord } from "../governance_store.ts";
import {
  COMMIT_MUTATIONS_MAX,
  deleteInBatches,
  listAll,
  optimistically,
  TRY_AGAIN,
  whenUnlocked,
} from "./commits.ts";
import { roleKeyOf, serverKeyOf, withAudit } from "./governance_keys.ts";
import { byPosition, changesNothing, definedOf, everyoneRole } from "./records.ts";

/** Overwrites a role's deletion removes in its own commit; more go right after. */
const OVERWRITES_IN_ROLE_COMMIT = COMMIT_MUTATIONS_MAX - 10;

/** The ids of the server's stored roles (`@everyone` may or may not be among them). */
export async function storedRoleIds(kv: Deno.Kv, serverId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const entry of kv.list({ prefix: ["roles", serverId] })) {
    ids.add(entry.key[2] as string);
  }
  return ids;
}

/** The role methods of the KV store. */
export class KvRoles {
  constructor(private readonly kv: Deno.Kv) {}

  async listRoles(serverId: string): Promise<RoleRecord[]> {
    const [server, stored] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll<RoleRecord>(this.kv, ["roles", serverId]),
    ]);
    if (server.versionstamp === null) return [];
    const roles = stored.map((entry) => entry.value);
    if (!roles.some((role) => role.id === serverId)) roles.push(everyoneRole(serverId));
    return roles.sort(byPosition);
  }

  async createRole(role: RoleRecord, audit: AuditEntryRecord | null): Promise<void> {
    const server = await this.kv.get(serverKeyOf(role.serverId));
    if (server.versionstamp === null) throw new Error(`No server ${role.serverId}`);
    const key = roleKeyOf(role.serverId, role.id);
    const result = await whenUnlocked(() =>
      withAudit(this.kv.atomic().check(server).check({ key, versionstamp: null }), audit)
        .set(key, role)
        .commit()
    );
    if (!result.ok) throw new Error(`Could not create role ${role.id}: its server or id changed`);
  }

  updateRole(
    serverId: string,
    roleId: string,
    patch: RolePatch,
    audit: AuditEntryRecord | null,
  ): Promise<RoleRecord | null> {
    return optimistically(`update role ${roleId}`, async () => {
      const [entry, server] = await this.kv.getMany<[RoleRecord, unknown]>([
        roleKeyOf(serverId, roleId),
        serverKeyOf(serverId),
      ]);
      if (server.versionstamp === null) return null;
      // `@everyone` of a server stored before roles is stored by its first change.
      const role = entry.value ?? (roleId === serverId ? everyoneRole(serverId) : null);
      if (role === null) return null;
      const changes = definedOf(patch);
      if (changesNothing(role, changes)) return role;
      const updated = { ...role, ...changes };
      const op = this.kv.atomic().check(entry).check(server).set(entry.key, updated);
      return (await withAudit(op, audit).commit()).ok ? updated : TRY_AGAIN;
    });
  }

  async deleteRole(
    serverId: string,
    roleId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    // `@everyone` is every member's: it cannot go (the service says so first).
    if (roleId === serverId) return false;
    const overwrites = (await listAll(this.kv, ["overwrites", serverId]))
      .filter((entry) => entry.key[3] === roleId)
      .map((entry) => entry.key);
    const inCommit = overwrites.slice(0, OVERWRITES_IN_ROLE_COMMIT);
    const deleted = await optimistically(`delete role ${roleId}`, async () => {
      const entry = await this.kv.get(roleKeyOf(serverId, roleId));
      if (entry.value === null) return false;
      let op = withAudit(this.kv.atomic().check(entry).delete(entry.key), audit);
      for (const key of inCommit) op = op.delete(key);
      return (await op.commit()).ok ? true : TRY_AGAIN;
    });
    if (deleted) await deleteInBatches(this.kv, overwrites.slice(OVERWRITES_IN_ROLE_COMMIT));
    return deleted;
  }
}
