/**
 * The NotificationStore methods (db/notification_store.ts) on both stores: settings by user and
 * by target, `default` with no mute removing, subscriptions moving between users, the per-user
 * bound, and a deleted account taking its settings and subscriptions with it.
 */
import assert from "node:assert/strict";
import type { Store, UserRecord } from "../db/store.ts";
import { BACKENDS, storeTest } from "./helpers/backends.ts";

async function user(store: Store, username: string): Promise<UserRecord> {
  const record: UserRecord = {
    id: crypto.randomUUID(),
    username,
    displayName: username,
    bio: "",
    passwordHash: "x",
    avatarVersion: null,
    createdAt: new Date(),
  };
  await store.createUser(record);
  return record;
}

const KEYS = { p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6", auth: "BTBZMqHH6r4Tts7J_aSIgg" };

for (const backend of BACKENDS) {
  storeTest(
    backend,
    `notification store - settings by user and by target (${backend.name})`,
    async ({ store }) => {
      const [ann, bob] = [await user(store, "ann"), await user(store, "bob")];
      const [server, channel] = [crypto.randomUUID(), crypto.randomUUID()];
      const until = new Date("2030-01-01T00:00:00.000Z");
      await store.putNotificationSetting({
        userId: ann.id,
        targetId: server,
        level: "none",
        muteUntil: null,
      });
      await store.putNotificationSetting({
        userId: ann.id,
        targetId: channel,
        level: "all",
        muteUntil: until,
      });
      await store.putNotificationSetting({
        userId: bob.id,
        targetId: channel,
        level: "mentions",
        muteUntil: null,
      });
      // Replaced, not added.
      await store.putNotificationSetting({
        userId: bob.id,
        targetId: channel,
        level: "all",
        muteUntil: null,
      });
      const annList = await store.listNotificationSettings(ann.id);
      assert.equal(annList.length, 2);
      assert.deepEqual(annList.find((s) => s.targetId === channel), {
        userId: ann.id,
        targetId: channel,
        level: "all",
        muteUntil: until,
      });
      const onChannel = await store.notificationSettingsOn([channel, server, channel]);
      assert.deepEqual(
        onChannel.map((s) =>
          `${s.userId === ann.id ? "ann" : "bob"}:${s.targetId === server ? "s" : "c"}:${s.level}`
        ).sort(),
        ["ann:c:all", "ann:s:none", "bob:c:all"],
      );
      await store.putNotificationSetting({
        userId: ann.id,
        targetId: server,
        level: "default",
        muteUntil: null,
      });
      assert.equal((await store.listNotificationSettings(ann.id)).length, 1);
      assert.equal((await store.notificationSettingsOn([server])).length, 0);
      assert.deepEqual(await store.notificationSettingsOn([]), []);

      await store.deleteUser(ann.id);
      assert.deepEqual(await store.listNotificationSettings(ann.id), []);
      assert.deepEqual((await store.notificationSettingsOn([channel])).map((s) => s.userId), [
        bob.id,
      ]);
    },
  );

  storeTest(
    backend,
    `notification store - subscriptions by endpoint, moved, bounded (${backend.name})`,
    async ({ store }) => {
      const [ann, bob] = [await user(store, "ann"), await user(store, "bob")];
      const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
      const endpoint = `https://push.example.com/${"x".repeat(1500)}`;
      await store.putPushSubscription({ userId: ann.id, endpoint, ...KEYS, createdAt: at(0) }, 3);
      assert.deepEqual(await store.listPushSubscriptions([ann.id]), [
        { userId: ann.id, endpoint, ...KEYS, createdAt: at(0) },
      ]);
      // The same endpoint for another user moves.
      await store.putPushSubscription({ userId: bob.id, endpoint, ...KEYS, createdAt: at(1) }, 3);
      assert.deepEqual(await store.listPushSubscriptions([ann.id]), []);
      assert.equal((await store.listPushSubscriptions([bob.id, ann.id])).length, 1);
      assert.equal(await store.deletePushSubscription(endpoint, ann.id), false);
      assert.equal(await store.deletePushSubscription(endpoint, bob.id), true);
      assert.equal(await store.deletePushSubscription(endpoint), false);
      // Past the bound, the oldest go.
      for (let i = 0; i < 5; i++) {
        await store.putPushSubscription(
          {
            userId: ann.id,
            endpoint: `https://push.example.com/${i}`,
            ...KEYS,
            createdAt: at(10 + i),
          },
          3,
        );
      }
      const kept = (await store.listPushSubscriptions([ann.id])).map((s) => s.endpoint).sort();
      assert.deepEqual(kept, [2, 3, 4].map((i) => `https://push.example.com/${i}`));
      // Concurrent subscribes keep exactly the bound (KV once trimmed too many: 2 of 3 left).
      await Promise.all(Array.from({ length: 8 }, (_, i) =>
        store.putPushSubscription(
          {
            userId: ann.id,
            endpoint: `https://push.example.com/c${i}`,
            ...KEYS,
            createdAt: at(20 + i),
          },
          3,
        )));
      assert.equal((await store.listPushSubscriptions([ann.id])).length, 3);
      await store.deleteUser(ann.id);
      assert.deepEqual(await store.listPushSubscriptions([ann.id]), []);
      assert.deepEqual(await store.listPushSubscriptions([]), []);
    },
  );
}
