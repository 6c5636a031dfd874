/**
 * Notification settings and push subscriptions on PostgreSQL (migration 015_notifications.sql):
 * one row per (user, target) in `notification_settings`, indexed by target for the read at each
 * send, and one row per endpoint in `push_subscriptions`.
 */
import type { Sql } from "postgres";
import type {
  NotificationLevel,
  NotificationSettingRecord,
  NotificationStore,
  PushSubscriptionRecord,
} from "../notification_store.ts";
import { transaction } from "./transaction.ts";

/** The advisory lock class of a user's push subscribes (others: 7_245_001, 014, 015, 018). */
const PUSH_SUBSCRIBE_LOCK_CLASS = 7_245_019;

interface SettingRow {
  user_id: string;
  target_id: string;
  level: NotificationLevel;
  mute_until: Date | null;
}

interface SubscriptionRow {
  endpoint: string;
  user_id: string;
  p256dh: string;
  auth: string;
  created_at: Date;
}

function toSetting(row: SettingRow): NotificationSettingRecord {
  return {
    userId: row.user_id,
    targetId: row.target_id,
    level: row.level,
    muteUntil: row.mute_until,
  };
}

function toSubscription(row: SubscriptionRow): PushSubscriptionRecord {
  return {
    userId: row.user_id,
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
    createdAt: row.created_at,
  };
}

/** The notification methods of the PostgreSQL store, over its connection pool. */
export class PostgresNotifications implements NotificationStore {
  constructor(readonly sql: Sql) {}

  async listNotificationSettings(userId: string): Promise<NotificationSettingRecord[]> {
    const rows = await this.sql<SettingRow[]>`
      SELECT * FROM notification_settings WHERE user_id = ${userId}`;
    return rows.map(toSetting);
  }

  async putNotificationSetting(setting: NotificationSettingRecord): Promise<void> {
    const { userId, targetId, level, muteUntil } = setting;
    if (level === "default" && muteUntil === null) {
      await this.sql`
        DELETE FROM notification_settings WHERE user_id = ${userId} AND target_id = ${targetId}`;
      return;
    }
    await this.sql`
      INSERT INTO notification_settings (user_id, target_id, level, mute_until)
      VALUES (${userId}, ${targetId}, ${level}, ${muteUntil})
      ON CONFLICT (user_id, target_id)
      DO UPDATE SET level = EXCLUDED.level, mute_until = EXCLUDED.mute_until`;
  }

  async notificationSettingsOn(targetIds: string[]): Promise<NotificationSettingRecord[]> {
    if (targetIds.length === 0) return [];
    const rows = await this.sql<SettingRow[]>`
      SELECT * FROM notification_settings WHERE target_id = ANY(${[
      ...new Set(targetIds),
    ]}::text[])`;
    return rows.map(toSetting);
  }

  async putPushSubscription(
    subscription: PushSubscriptionRecord,
    maxPerUser: number,
  ): Promise<void> {
    const { userId, endpoint, p256dh, auth, createdAt } = subscription;
    await transaction(this.sql, async (tx) => {
      // One user's subscribes one at a time: concurrent ones could each trim only what was
      // committed before them and leave more than the bound (not seen in the store test,
      // which passes without it: a guard by construction).
      await tx`SELECT pg_advisory_xact_lock(${PUSH_SUBSCRIBE_LOCK_CLASS}, hashtext(${userId}))`;
      await tx`
        INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at)
        VALUES (${endpoint}, ${userId}, ${p256dh}, ${auth}, ${createdAt})
        ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id,
          p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, created_at = EXCLUDED.created_at`;
      // Past the bound the oldest go (a browser that re-subscribed left its old endpoint behind).
      await tx`
        DELETE FROM push_subscriptions WHERE user_id = ${userId} AND endpoint <> ${endpoint}
          AND endpoint NOT IN (
            SELECT endpoint FROM push_subscriptions
            WHERE user_id = ${userId} AND endpoint <> ${endpoint}
            ORDER BY created_at DESC LIMIT ${Math.max(0, maxPerUser - 1)}
          )`;
    });
  }

  async deletePushSubscription(endpoint: string, userId?: string): Promise<boolean> {
    const rows = userId === undefined
      ? await this.sql`DELETE FROM push_subscriptions WHERE endpoint = ${endpoint} RETURNING 1`
      : await this.sql`
        DELETE FROM push_subscriptions WHERE endpoint = ${endpoint} AND user_id = ${userId}
        RETURNING 1`;
    return rows.length > 0;
  }

  async listPushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]> {
    if (userIds.length === 0) return [];
    const rows = await this.sql<SubscriptionRow[]>`
      SELECT * FROM push_subscriptions WHERE user_id = ANY(${[...new Set(userIds)]}::text[])`;
    return rows.map(toSubscription);
  }
}
