/**
 * Direct messages on PostgreSQL (db/dm_store.ts, migration 014): DM channels are rows of
 * `channels` with no server; `dm_members` holds who is in each, `dm_pairs` the one DM of each
 * pair (its primary key settles racing opens), `user_blocks` the blocks and `users.dm_policy`
 * each user's policy.
 */
import type { Sql } from "postgres";
import type { DmChannelRecord, DmPolicy, DmState, DmStore } from "../dm_store.ts";
import { DmFullError } from "../dm_store.ts";
import type { ChannelRecord } from "../store.ts";
import { type ChannelRow, toChannel } from "./rows.ts";
import { transaction } from "./transaction.ts";

interface DmRow extends ChannelRow {
  member_ids: string[] | null;
  closed_ids: string[] | null;
}

interface DmStateRow extends DmRow {
  last_seq: number;
  read_seq: number;
  activity_at: Date;
}

/** Thrown inside a transaction to roll it back when the pair already has its DM. */
class PairTaken extends Error {}

function toDm(row: DmRow): DmChannelRecord {
  return {
    channel: toChannel(row),
    recipientIds: row.member_ids ?? [],
    closedBy: row.closed_ids ?? [],
  };
}

export class PostgresDms implements DmStore {
  constructor(readonly sql: Sql) {}

  async openDm(
    channel: ChannelRecord,
    openerId: string,
    otherId: string,
  ): Promise<{ dm: DmChannelRecord; created: boolean }> {
    const [low, high] = openerId < otherId ? [openerId, otherId] : [otherId, openerId];
    for (;;) {
      const existing = await this.#pairChannel(low, high);
      if (existing !== null) {
        await this.setDmClosed(existing, openerId, false);
        const dm = await this.findDmChannel(existing);
        if (dm) return { dm, created: false };
      }
      try {
        await transaction(this.sql, async (tx) => {
          await this.#insert(tx, channel, [openerId, otherId]);
          // A racing open of the same pair waits here on the key, then finds it taken.
          const rows = await tx`INSERT INTO dm_pairs (low_id, high_id, channel_id)
            VALUES (${low}, ${high}, ${channel.id}) ON CONFLICT DO NOTHING RETURNING channel_id`;
          if (rows.length === 0) throw new PairTaken();
        });
        return { dm: { channel, recipientIds: [openerId, otherId], closedBy: [] }, created: true };
      } catch (error) {
        if (!(error instanceof PairTaken)) throw error;
      }
    }
  }

  async #pairChannel(low: string, high: string): Promise<string | null> {
    const [row] = await this.sql<{ channel_id: string }[]>`SELECT channel_id FROM dm_pairs
      WHERE low_id = ${low} AND high_id = ${high}`;
    return row?.channel_id ?? null;
  }

  async #insert(tx: Sql, channel: ChannelRecord, memberIds: string[]): Promise<void> {
    await tx`INSERT INTO channels (id, server_id, name, created_at, kind, parent_id, topic, position)
      VALUES (${channel.id}, NULL, ${channel.name}, ${channel.createdAt}, ${channel.kind}, NULL,
        ${channel.topic}, ${channel.position})`;
    // Join times a millisecond apart keep the creator first.
    const joined = memberIds.map((_, i) => new Date(channel.createdAt.getTime() + i));
    await tx`INSERT INTO dm_members (channel_id, user_id, joined_at)
      SELECT ${channel.id}, user_id, joined_at
      FROM unnest(${memberIds}::text[], ${joined.map((d) => d.toISOString())}::timestamptz[])
        AS t(user_id, joined_at)`;
  }

  async createGroupDm(channel: ChannelRecord, memberIds: string[]): Promise<DmChannelRecord> {
    await transaction(this.sql, (tx) => this.#insert(tx, channel, memberIds));
    return { channel, recipientIds: [...memberIds], closedBy: [] };
  }

  async findDmChannel(channelId: string): Promise<DmChannelRecord | null> {
    const [row] = await this.sql<DmRow[]>`SELECT c.*,
        (SELECT array_agg(user_id ORDER BY joined_at, user_id) FROM dm_members
          WHERE channel_id = c.id) AS member_ids,
        (SELECT array_agg(user_id) FROM dm_members
          WHERE channel_id = c.id AND closed) AS closed_ids
      FROM channels c WHERE c.id = ${channelId} AND c.kind IN ('dm', 'group_dm')`;
    return row ? toDm(row) : null;
  }

  async isDmMember(channelId: string, userId: string): Promise<boolean> {
    const rows = await this.sql`SELECT 1 FROM dm_members
      WHERE channel_id = ${channelId} AND user_id = ${userId}`;
    return rows.length === 1;
  }

  async listDmsOf(userId: string, includeClosed = false): Promise<DmState[]> {
    const rows = await this.sql<DmStateRow[]>`SELECT c.*,
        (SELECT array_agg(user_id ORDER BY joined_at, user_id) FROM dm_members
          WHERE channel_id = c.id) AS member_ids,
        (SELECT array_agg(user_id) FROM dm_members
          WHERE channel_id = c.id AND closed) AS closed_ids,
        c.last_seq, coalesce(r.seq, 0) AS read_seq,
        coalesce((SELECT created_at FROM messages
          WHERE channel_id = c.id AND seq = c.last_seq), c.created_at) AS activity_at
      FROM dm_members m
      JOIN channels c ON c.id = m.channel_id
      LEFT JOIN read_markers r ON r.user_id = ${userId} AND r.channel_id = c.id
      WHERE m.user_id = ${userId} AND (${includeClosed} OR NOT m.closed)
      ORDER BY activity_at DESC, c.id DESC`;
    return rows.map((row) => ({
      dm: toDm(row),
      lastSeq: row.last_seq,
      readSeq: row.read_seq,
      activityAt: row.activity_at,
    }));
  }

  async listDmIdsOf(userId: string): Promise<string[]> {
    const rows = await this.sql<{ channel_id: string }[]>`SELECT channel_id FROM dm_members
      WHERE user_id = ${userId}`;
    return rows.map((row) => row.channel_id);
  }

  async addDmRecipient(channelId: string, userId: string, max: number): Promise<boolean> {
    return await transaction(this.sql, async (tx) => {
      // The channel's row lock orders concurrent adds, so the count below holds at the insert.
      const [channel] = await tx<{ kind: string }[]>`SELECT kind FROM channels
        WHERE id = ${channelId} FOR UPDATE`;
      if (channel?.kind !== "group_dm") return false;
      const members = await tx<{ user_id: string }[]>`SELECT user_id FROM dm_members
        WHERE channel_id = ${channelId}`;
      if (members.some((m) => m.user_id === userId)) return false;
      if (members.length >= max) throw new DmFullError(channelId);
      await tx`INSERT INTO dm_members (channel_id, user_id, joined_at)
        VALUES (${channelId}, ${userId}, now())`;
      return true;
    });
  }

  async removeDmRecipient(channelId: string, userId: string): Promise<boolean> {
    const rows = await this.sql`DELETE FROM dm_members
      WHERE channel_id = ${channelId} AND user_id = ${userId} RETURNING user_id`;
    return rows.length === 1;
  }

  async setDmName(channelId: string, name: string): Promise<boolean> {
    const rows = await this.sql`UPDATE channels SET name = ${name}
      WHERE id = ${channelId} AND kind = 'group_dm' RETURNING id`;
    return rows.length === 1;
  }

  async setDmClosed(channelId: string, userId: string, closed: boolean): Promise<boolean> {
    const rows = await this.sql`UPDATE dm_members SET closed = ${closed}
      WHERE channel_id = ${channelId} AND user_id = ${userId} RETURNING user_id`;
    return rows.length === 1;
  }

  async blockUser(userId: string, blockedId: string, at: Date): Promise<boolean> {
    const rows = await this.sql`INSERT INTO user_blocks (user_id, blocked_id, created_at)
      VALUES (${userId}, ${blockedId}, ${at}) ON CONFLICT DO NOTHING RETURNING user_id`;
    return rows.length === 1;
  }

  async unblockUser(userId: string, blockedId: string): Promise<boolean> {
    const rows = await this.sql`DELETE FROM user_blocks
      WHERE user_id = ${userId} AND blocked_id = ${blockedId} RETURNING user_id`;
    return rows.length === 1;
  }

  async hasBlocked(userId: string, blockedId: string): Promise<boolean> {
    const rows = await this.sql`SELECT 1 FROM user_blocks
      WHERE user_id = ${userId} AND blocked_id = ${blockedId}`;
    return rows.length === 1;
  }

  async listBlockedIds(userId: string): Promise<string[]> {
    const rows = await this.sql<{ blocked_id: string }[]>`SELECT blocked_id FROM user_blocks
      WHERE user_id = ${userId} ORDER BY created_at, blocked_id`;
    return rows.map((row) => row.blocked_id);
  }

  async findDmPolicy(userId: string): Promise<DmPolicy> {
    const [row] = await this.sql<{ dm_policy: DmPolicy }[]>`SELECT dm_policy FROM users
      WHERE id = ${userId}`;
    return row?.dm_policy ?? "server_members";
  }

  async setDmPolicy(userId: string, policy: DmPolicy): Promise<void> {
    await this.sql`UPDATE users SET dm_policy = ${policy} WHERE id = ${userId}`;
  }
}
