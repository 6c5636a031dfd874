/**
 * Direct messages on Deno KV (db/dm_store.ts). Keys:
 * - `["channels", id]` → ChannelRecord of kind "dm" | "group_dm" (the same key as any channel,
 *   so appends, history and read markers work unchanged), `serverId` = its own id
 * - `["dm_roster", channelId]` → member ids in join order (the group's size is checked on it)
 * - `["user_dms", userId, channelId]` → `{ closed }` (the member's side, for their list)
 * - `["dm_pairs", lowId, highId]` → channelId: the one DM of a pair, created with a
 *   `versionstamp: null` check, so two racing opens (either side, any instance) make one
 * - `["blocks", userId, blockedId]` → when; `["dm_policies", userId]` → DmPolicy
 */
import type { DmChannelRecord, DmPolicy, DmState, DmStore } from "../dm_store.ts";
import { DmFullError } from "../dm_store.ts";
import type { ChannelRecord, MessageRecord } from "../store.ts";
import { getAll, listAll, optimistically, TRY_AGAIN, whenUnlocked } from "./commits.ts";
import { channelKeyOf } from "./governance_keys.ts";

interface UserDm {
  closed: boolean;
}

const rosterKeyOf = (channelId: string): Deno.KvKey => ["dm_roster", channelId];
const userDmKeyOf = (userId: string, channelId: string): Deno.KvKey => [
  "user_dms",
  userId,
  channelId,
];
const pairKeyOf = (a: string, b: string): Deno.KvKey =>
  a < b ? ["dm_pairs", a, b] : ["dm_pairs", b, a];
const blockKeyOf = (userId: string, blockedId: string): Deno.KvKey => [
  "blocks",
  userId,
  blockedId,
];
const policyKeyOf = (userId: string): Deno.KvKey => ["dm_policies", userId];
const counterKeyOf = (channelId: string): Deno.KvKey => ["channel_seq", channelId];

function isDmChannel(channel: ChannelRecord | null): channel is ChannelRecord {
  return channel !== null && (channel.kind === "dm" || channel.kind === "group_dm");
}

export class KvDms implements DmStore {
  constructor(readonly kv: Deno.Kv) {}

  openDm(
    channel: ChannelRecord,
    openerId: string,
    otherId: string,
  ): Promise<{ dm: DmChannelRecord; created: boolean }> {
    const pairKey = pairKeyOf(openerId, otherId);
    return optimistically("open a DM", async () => {
      const pair = await this.kv.get<string>(pairKey);
      if (pair.value !== null) {
        await this.setDmClosed(pair.value, openerId, false);
        const dm = await this.findDmChannel(pair.value);
        if (dm) return { dm, created: false };
      }
      const members = [openerId, otherId];
      let op = this.kv.atomic().check(pair).set(pairKey, channel.id);
      op = this.#createOps(op, channel, members);
      const result = await op.commit();
      if (!result.ok) return TRY_AGAIN;
      return { dm: { channel, recipientIds: members, closedBy: [] }, created: true };
    });
  }

  async createGroupDm(channel: ChannelRecord, memberIds: string[]): Promise<DmChannelRecord> {
    const op = this.#createOps(this.kv.atomic(), channel, memberIds);
    const result = await whenUnlocked(() => op.commit());
    if (!result.ok) throw new Error(`Channel ${channel.id} already exists`);
    return { channel, recipientIds: [...memberIds], closedBy: [] };
  }

  #createOps(
    op: Deno.AtomicOperation,
    channel: ChannelRecord,
    memberIds: string[],
  ): Deno.AtomicOperation {
    op = op.check({ key: channelKeyOf(channel.id), versionstamp: null })
      .set(channelKeyOf(channel.id), channel)
      .set(rosterKeyOf(channel.id), memberIds);
    for (const userId of memberIds) {
      op = op.set(userDmKeyOf(userId, channel.id), { closed: false } satisfies UserDm);
    }
    return op;
  }

  async findDmChannel(channelId: string): Promise<DmChannelRecord | null> {
    const [channel, roster] = await this.kv.getMany<[ChannelRecord, string[]]>([
      channelKeyOf(channelId),
      rosterKeyOf(channelId),
    ]);
    if (!isDmChannel(channel.value) || roster.value === null) return null;
    return await this.#withClosed(channel.value, roster.value);
  }

  async #withClosed(channel: ChannelRecord, memberIds: string[]): Promise<DmChannelRecord> {
    const sides = await getAll<UserDm>(
      this.kv,
      memberIds.map((userId) => userDmKeyOf(userId, channel.id)),
    );
    return {
      channel,
      recipientIds: [...memberIds],
      closedBy: memberIds.filter((_, i) => sides[i]?.closed === true),
    };
  }

  async isDmMember(channelId: string, userId: string): Promise<boolean> {
    return (await this.kv.get(userDmKeyOf(userId, channelId))).versionstamp !== null;
  }

  async listDmsOf(userId: string, includeClosed = false): Promise<DmState[]> {
    const [sides, markers] = await Promise.all([
      listAll<UserDm>(this.kv, ["user_dms", userId]),
      listAll<number>(this.kv, ["read_markers", userId]),
    ]);
    const ids = sides.filter((side) => includeClosed || !side.value.closed)
      .map((side) => side.key[2] as string);
    const readSeqs = new Map(markers.map((entry) => [entry.key[2] as string, entry.value]));
    const [channels, rosters, counters] = await Promise.all([
      getAll<ChannelRecord>(this.kv, ids.map(channelKeyOf)),
      getAll<string[]>(this.kv, ids.map(rosterKeyOf)),
      getAll<number>(this.kv, ids.map(counterKeyOf)),
    ]);
    const latest = await getAll<MessageRecord>(
      this.kv,
      ids.map((id, i) => ["messages", id, counters[i] ?? 0]),
    );
    const states = await Promise.all(ids.map(async (id, i): Promise<DmState[]> => {
      const channel = channels[i];
      const roster = rosters[i];
      if (!isDmChannel(channel) || roster === null) return [];
      return [{
        dm: await this.#withClosed(channel, roster),
        lastSeq: counters[i] ?? 0,
        readSeq: readSeqs.get(id) ?? 0,
        activityAt: latest[i]?.createdAt ?? channel.createdAt,
      }];
    }));
    return states.flat().sort(byActivity);
  }

  async listDmIdsOf(userId: string): Promise<string[]> {
    const sides = await listAll<UserDm>(this.kv, ["user_dms", userId]);
    return sides.map((side) => side.key[2] as string);
  }

  addDmRecipient(channelId: string, userId: string, max: number): Promise<boolean> {
    return optimistically("add a DM recipient", async () => {
      const [channel, roster] = await this.kv.getMany<[ChannelRecord, string[]]>([
        channelKeyOf(channelId),
        rosterKeyOf(channelId),
      ]);
      if (channel.value?.kind !== "group_dm" || roster.value === null) return false;
      if (roster.value.includes(userId)) return false;
      if (roster.value.length >= max) throw new DmFullError(channelId);
      const result = await this.kv.atomic().check(channel, roster)
        .set(rosterKeyOf(channelId), [...roster.value, userId])
        .set(userDmKeyOf(userId, channelId), { closed: false } satisfies UserDm)
        .commit();
      return result.ok ? true : TRY_AGAIN;
    });
  }

  removeDmRecipient(channelId: string, userId: string): Promise<boolean> {
    return optimistically("remove a DM recipient", async () => {
      const roster = await this.kv.get<string[]>(rosterKeyOf(channelId));
      if (roster.value === null || !roster.value.includes(userId)) return false;
      const result = await this.kv.atomic().check(roster)
        .set(rosterKeyOf(channelId), roster.value.filter((id) => id !== userId))
        .delete(userDmKeyOf(userId, channelId))
        .commit();
      return result.ok ? true : TRY_AGAIN;
    });
  }

  /**
   * What a deleted account leaves in DMs, as PostgreSQL's ON DELETE CASCADE removes it: its
   * place in every roster (a group does not keep counting it), its blocks and its policy.
   * Others' blocks of it stay (finding them would read every block); they name nobody.
   */
  async forgetUser(userId: string): Promise<void> {
    for (const channelId of await this.listDmIdsOf(userId)) {
      await this.removeDmRecipient(channelId, userId);
    }
    for (const entry of await listAll(this.kv, ["blocks", userId])) {
      await whenUnlocked(() => this.kv.delete(entry.key));
    }
    await whenUnlocked(() => this.kv.delete(policyKeyOf(userId)));
  }

  setDmName(channelId: string, name: string): Promise<boolean> {
    return optimistically("name a group DM", async () => {
      const channel = await this.kv.get<ChannelRecord>(channelKeyOf(channelId));
      if (channel.value?.kind !== "group_dm") return false;
      const result = await this.kv.atomic().check(channel)
        .set(channelKeyOf(channelId), { ...channel.value, name })
        .commit();
      return result.ok ? true : TRY_AGAIN;
    });
  }

  setDmClosed(channelId: string, userId: string, closed: boolean): Promise<boolean> {
    const key = userDmKeyOf(userId, channelId);
    return optimistically("close a DM", async () => {
      const side = await this.kv.get<UserDm>(key);
      if (side.value === null) return false;
      if (side.value.closed === closed) return true;
      const result = await this.kv.atomic().check(side).set(key, { closed } satisfies UserDm)
        .commit();
      return result.ok ? true : TRY_AGAIN;
    });
  }

  async blockUser(userId: string, blockedId: string, at: Date): Promise<boolean> {
    const key = blockKeyOf(userId, blockedId);
    const result = await whenUnlocked(() =>
      this.kv.atomic().check({ key, versionstamp: null }).set(key, at).commit()
    );
    return result.ok;
  }

  unblockUser(userId: string, blockedId: string): Promise<boolean> {
    const key = blockKeyOf(userId, blockedId);
    return optimistically("unblock a user", async () => {
      const entry = await this.kv.get(key);
      if (entry.versionstamp === null) return false;
      const result = await this.kv.atomic().check(entry).delete(key).commit();
      return result.ok ? true : TRY_AGAIN;
    });
  }

  async hasBlocked(userId: string, blockedId: string): Promise<boolean> {
    return (await this.kv.get(blockKeyOf(userId, blockedId))).versionstamp !== null;
  }

  async listBlockedIds(userId: string): Promise<string[]> {
    const entries = await listAll<Date>(this.kv, ["blocks", userId]);
    return entries.map((entry) => entry.key[2] as string);
  }

  async findDmPolicy(userId: string): Promise<DmPolicy> {
    return (await this.kv.get<DmPolicy>(policyKeyOf(userId))).value ?? "server_members";
  }

  async setDmPolicy(userId: string, policy: DmPolicy): Promise<void> {
    await whenUnlocked(() => this.kv.set(policyKeyOf(userId), policy));
  }
}

/** Newest activity first; ties newest id first (ids are time-ordered). */
export function byActivity(a: DmState, b: DmState): number {
  return b.activityAt.getTime() - a.activityAt.getTime() ||
    (a.dm.channel.id < b.dm.channel.id ? 1 : a.dm.channel.id > b.dm.channel.id ? -1 : 0);
}
