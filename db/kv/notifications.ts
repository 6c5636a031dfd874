/**
 * Notification settings and push subscriptions on Deno KV:
 * - `["notify_settings", userId, targetId]` → NotificationSettingRecord (a user's own list), and
 *   `["notify_targets", targetId, userId]` → the same record (every user's on one target, read
 *   when a message is sent), both written in one commit
 * - `["push_subscriptions", endpointKey]` → PushSubscriptionRecord and
 *   `["user_push", userId, endpointKey]` → true, where `endpointKey` is the SHA-256 (hex) of the
 *   endpoint: endpoints can be longer than a KV key may be
 */
import { TRY_AGAIN } from "../retry.ts";
import type {
  NotificationSettingRecord,
  NotificationStore,
  PushSubscriptionRecord,
} from "../notification_store.ts";
import { optimistically, whenUnlocked } from "./commits.ts";

const settingKeyOf = (userId: string, targetId: string): Deno.KvKey => [
  "notify_settings",
  userId,
  targetId,
];
const targetKeyOf = (targetId: string, userId: string): Deno.KvKey => [
  "notify_targets",
  targetId,
  userId,
];
const subscriptionKeyOf = (key: string): Deno.KvKey => ["push_subscriptions", key];
const userPushKeyOf = (userId: string, key: string): Deno.KvKey => ["user_push", userId, key];

/** Reads of one bulk listing running at once (a message to a large server lists many users). */
const LIST_CONCURRENCY = 16;

/** The key an endpoint is stored under. */
export async function endpointKeyOf(endpoint: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The notification methods of the KV store, over its database handle. */
export class KvNotifications implements NotificationStore {
  constructor(readonly kv: Deno.Kv) {}

  async listNotificationSettings(userId: string): Promise<NotificationSettingRecord[]> {
    const settings: NotificationSettingRecord[] = [];
    for await (
      const entry of this.kv.list<NotificationSettingRecord>({
        prefix: ["notify_settings", userId],
      })
    ) settings.push(entry.value);
    return settings;
  }

  async putNotificationSetting(setting: NotificationSettingRecord): Promise<void> {
    const { userId, targetId } = setting;
    const atomic = this.kv.atomic();
    if (setting.level === "default" && setting.muteUntil === null) {
      atomic.delete(settingKeyOf(userId, targetId)).delete(targetKeyOf(targetId, userId));
    } else {
      atomic.set(settingKeyOf(userId, targetId), setting).set(
        targetKeyOf(targetId, userId),
        setting,
      );
    }
    await whenUnlocked(() => atomic.commit());
  }

  async notificationSettingsOn(targetIds: string[]): Promise<NotificationSettingRecord[]> {
    const lists = await Promise.all([...new Set(targetIds)].map(async (targetId) => {
      const settings: NotificationSettingRecord[] = [];
      for await (
        const entry of this.kv.list<NotificationSettingRecord>({
          prefix: ["notify_targets", targetId],
        })
      ) settings.push(entry.value);
      return settings;
    }));
    return lists.flat();
  }

  async putPushSubscription(
    subscription: PushSubscriptionRecord,
    maxPerUser: number,
  ): Promise<void> {
    const key = await endpointKeyOf(subscription.endpoint);
    await optimistically("store a push subscription", async () => {
      const existing = await this.kv.get<PushSubscriptionRecord>(subscriptionKeyOf(key));
      const atomic = this.kv.atomic().check(existing)
        .set(subscriptionKeyOf(key), subscription)
        .set(userPushKeyOf(subscription.userId, key), true);
      if (existing.value && existing.value.userId !== subscription.userId) {
        atomic.delete(userPushKeyOf(existing.value.userId, key));
      }
      const result = await atomic.commit();
      return result.ok ? undefined : TRY_AGAIN;
    });
    // Past the bound the oldest go (a browser that re-subscribed left its old endpoint behind):
    // all but the newest maxPerUser, so subscribes running at once agree on what goes (each
    // keeping itself and trimming the others once removed a newer one: 2 left of 3).
    const mine = (await this.listPushSubscriptions([subscription.userId]))
      .sort((a, b) =>
        b.createdAt.getTime() - a.createdAt.getTime() || (a.endpoint < b.endpoint ? -1 : 1)
      );
    for (const old of mine.slice(maxPerUser)) {
      await this.deletePushSubscription(old.endpoint, subscription.userId);
    }
  }

  async deletePushSubscription(endpoint: string, userId?: string): Promise<boolean> {
    const key = await endpointKeyOf(endpoint);
    return await optimistically("delete a push subscription", async () => {
      const existing = await this.kv.get<PushSubscriptionRecord>(subscriptionKeyOf(key));
      if (!existing.value || (userId !== undefined && existing.value.userId !== userId)) {
        return false;
      }
      const result = await this.kv.atomic().check(existing)
        .delete(subscriptionKeyOf(key))
        .delete(userPushKeyOf(existing.value.userId, key))
        .commit();
      return result.ok ? true : TRY_AGAIN;
    });
  }

  async listPushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]> {
    const queue = [...new Set(userIds)];
    const found: PushSubscriptionRecord[] = [];
    const worker = async () => {
      for (let userId = queue.pop(); userId !== undefined; userId = queue.pop()) {
        for await (const entry of this.kv.list({ prefix: ["user_push", userId] })) {
          const key = entry.key[2] as string;
          const record = (await this.kv.get<PushSubscriptionRecord>(subscriptionKeyOf(key))).value;
          if (record && record.userId === userId) found.push(record);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, queue.length) }, worker));
    return found;
  }

  /** Deletes the user's settings and subscriptions (their account is being deleted). */
  async deleteNotificationsOf(userId: string): Promise<void> {
    for (const setting of await this.listNotificationSettings(userId)) {
      await this.putNotificationSetting({ ...setting, level: "default", muteUntil: null });
    }
    for (const subscription of await this.listPushSubscriptions([userId])) {
      await this.deletePushSubscription(subscription.endpoint, userId);
    }
  }
}
