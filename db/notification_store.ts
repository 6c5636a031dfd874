/**
 * The notification part of the `Store` (db/store.ts extends it): each user's notification
 * settings per server, channel or DM (API.md "Notifications"), and their Web Push
 * subscriptions.
 *
 * Settings are read two ways: a user's own (`GET /api/me/notifications`), and every user's on the
 * targets of one message (the server and the channel, or the DM) when it is sent, so the second
 * read is indexed by target. A subscription is known by its endpoint, which belongs to one
 * browser: subscribing it again (another user logging in there) moves it to the new user.
 */

/** `default`: as if there were no setting (the target's own default, or the server's). */
export type NotificationLevel = "all" | "mentions" | "none" | "default";

/** One user's setting on one server, channel or DM. */
export interface NotificationSettingRecord {
  userId: string;
  /** A server, channel or DM channel id. */
  targetId: string;
  level: NotificationLevel;
  /** Muted until then (nothing notifies meanwhile); null: not muted. */
  muteUntil: Date | null;
}

/** A browser's Web Push subscription (the Push API's `PushSubscription.toJSON()`). */
export interface PushSubscriptionRecord {
  userId: string;
  /** The push service URL (checked: https on a public address, lib/notifications/). */
  endpoint: string;
  /** The browser's P-256 public key, base64url (65 bytes, uncompressed). */
  p256dh: string;
  /** The browser's authentication secret, base64url (16 bytes). */
  auth: string;
  createdAt: Date;
}

/** What the stores keep for notifications. */
export interface NotificationStore {
  /** The user's settings, in no particular order. */
  listNotificationSettings(userId: string): Promise<NotificationSettingRecord[]>;
  /**
   * Stores the user's setting on its target, replacing the one there; a `default` level with no
   * mute removes it instead (nothing is left to list).
   */
  putNotificationSetting(setting: NotificationSettingRecord): Promise<void>;
  /** Every user's settings on any of these targets (the targets of one message). */
  notificationSettingsOn(targetIds: string[]): Promise<NotificationSettingRecord[]>;
  /**
   * Stores a subscription under its endpoint (moved from another user if it was theirs, its keys
   * replaced if it was this user's). Past `maxPerUser` the user's oldest others go.
   */
  putPushSubscription(subscription: PushSubscriptionRecord, maxPerUser: number): Promise<void>;
  /**
   * Deletes the subscription with this endpoint (only if it is `userId`'s, when given); false if
   * there was none.
   */
  deletePushSubscription(endpoint: string, userId?: string): Promise<boolean>;
  /** The subscriptions of these users, in no particular order. */
  listPushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]>;
}
