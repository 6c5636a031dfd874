/**
 * Channel overwrites on Deno KV: `["overwrites", serverId, channelId, targetId]`, so a server's
 * permission snapshot reads them in one prefix scan. Overwrites of a deleted channel or role
 * may outlive it for a moment (they are purged after the commit that deleted it): listing skips
 * them, so what is returned only ever names channels and roles that exist.
 */
import type { AuditEntryRecord, OverwriteRecord } from "../governance_store.ts";
import type { ChannelRecord } from "../store.ts";
import { listAll, optimistically, TRY_AGAIN } from "./commits.ts";
import {
  channelKeyOf,
  overwriteKeyOf,
  roleKeyOf,
  serverKeyOf,
  withAudit,
} from "./governance_keys.ts";
import { storedRoleIds } from "./roles.ts";

/** Whether two overwrites say the same. */
function same(a: OverwriteRecord, b: OverwriteRecord): boolean {
  return a.type === b.type &&
    JSON.stringify([a.allow, a.deny]) === JSON.stringify([b.allow, b.deny]);
}

/** The overwrite methods of the KV store. */
export class KvOverwrites {
  constructor(private readonly kv: Deno.Kv) {}

  putOverwrite(overwrite: OverwriteRecord, audit: AuditEntryRecord | null): Promise<void> {
    return optimistically(`put overwrite on ${overwrite.channelId}`, async () => {
      const channel = await this.kv.get<ChannelRecord>(channelKeyOf(overwrite.channelId));
      if (channel.value === null) return undefined;
      const { serverId } = channel.value;
      const key = overwriteKeyOf(serverId, overwrite.channelId, overwrite.targetId);
      const [stored, role] = await this.kv.getMany<[OverwriteRecord, unknown]>([
        key,
        roleKeyOf(serverId, overwrite.targetId),
      ]);
      if (stored.value !== null && same(stored.value, overwrite)) return undefined;
      // A role's overwrite needs the role (`@everyone`'s is always there, stored or not).
      const ofRole = overwrite.type === "role" && overwrite.targetId !== serverId;
      if (ofRole && role.versionstamp === null) return undefined;
      // The checks: a channel or role deleted meanwhile gets no overwrite.
      let op = this.kv.atomic().check(channel).check(stored).set(key, overwrite);
      if (ofRole) op = op.check(role);
      return (await withAudit(op, audit).commit()).ok ? undefined : TRY_AGAIN;
    });
  }

  deleteOverwrite(
    channelId: string,
    targetId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    return optimistically(`delete overwrite on ${channelId}`, async () => {
      const channel = await this.kv.get<ChannelRecord>(channelKeyOf(channelId));
      if (channel.value === null) return false;
      const stored = await this.kv.get(overwriteKeyOf(channel.value.serverId, channelId, targetId));
      if (stored.versionstamp === null) return false;
      const op = withAudit(this.kv.atomic().check(stored).delete(stored.key), audit);
      return (await op.commit()).ok ? true : TRY_AGAIN;
    });
  }

  async listOverwrites(serverId: string): Promise<OverwriteRecord[]> {
    const [server, overwrites, channels, roles] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll<OverwriteRecord>(this.kv, ["overwrites", serverId]),
      listAll<ChannelRecord>(this.kv, ["server_channels", serverId]),
      storedRoleIds(this.kv, serverId),
    ]);
    if (server.versionstamp === null) return [];
    // Channels in creation order, as PostgreSQL lists them (then by target id).
    const order = new Map(
      channels.map((entry) => entry.value)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
        .map((channel, i) => [channel.id, i]),
    );
    return overwrites.map((entry) => entry.value).filter((overwrite) =>
      order.has(overwrite.channelId) &&
      (overwrite.type === "member" || overwrite.targetId === serverId ||
        roles.has(overwrite.targetId))
    ).sort((a, b) =>
      order.get(a.channelId)! - order.get(b.channelId)! ||
      (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0)
    );
  }
}
