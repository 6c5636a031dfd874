/** islands/runtime/notify_rules.ts: which messages notify the reader in the browser. */
import assert from "node:assert/strict";
import { effectiveLevel, isMuted, shouldNotify } from "../islands/runtime/notify_rules.ts";
import type { SettingsMap } from "../islands/runtime/notify_rules.ts";
import type { NotificationSetting } from "../islands/runtime/dm_types.ts";
import { base64UrlBytes } from "../islands/runtime/push_subscribe.ts";

const NOW = Date.parse("2026-12-02T08:00:00Z");
const ME = "me";
const author = { id: "them", username: "them", displayName: "Them", avatarUrl: "" };
const plain = { author, mentions: { users: [], everyone: false } };
const mention = { author, mentions: { users: [ME], everyone: false } };
const everyone = { author, mentions: { users: [], everyone: true } };
const inServer = { channelId: "c1", serverId: "s1" };
const inDm = { channelId: "d1", serverId: null };

function settings(...list: Partial<NotificationSetting>[]): SettingsMap {
  return new Map(
    list.map((item) => [
      item.targetId!,
      { level: "default", muteUntil: null, ...item } as NotificationSetting,
    ]),
  );
}

Deno.test("notify rules - by default DMs and mentions notify, plain messages do not", () => {
  const none = settings();
  assert.equal(shouldNotify(plain, inDm, ME, none, NOW), true);
  assert.equal(shouldNotify(mention, inServer, ME, none, NOW), true);
  assert.equal(shouldNotify(everyone, inServer, ME, none, NOW), true);
  assert.equal(shouldNotify(plain, inServer, ME, none, NOW), false);
  assert.equal(
    shouldNotify({ ...mention, author: { ...author, id: ME } }, inServer, ME, none, NOW),
    false,
  );
});

Deno.test("notify rules - a channel's level wins over its server's; default defers", () => {
  assert.equal(effectiveLevel(settings({ targetId: "s1", level: "all" }), inServer), "all");
  assert.equal(
    effectiveLevel(
      settings({ targetId: "s1", level: "all" }, { targetId: "c1", level: "none" }),
      inServer,
    ),
    "none",
  );
  assert.equal(
    effectiveLevel(
      settings({ targetId: "s1", level: "none" }, { targetId: "c1", level: "default" }),
      inServer,
    ),
    "none",
  );
  assert.equal(
    shouldNotify(plain, inServer, ME, settings({ targetId: "s1", level: "all" }), NOW),
    true,
  );
  assert.equal(
    shouldNotify(mention, inServer, ME, settings({ targetId: "c1", level: "none" }), NOW),
    false,
  );
  assert.equal(
    shouldNotify(plain, inDm, ME, settings({ targetId: "d1", level: "mentions" }), NOW),
    false,
  );
});

Deno.test("notify rules - a mute silences until its time, then ends", () => {
  const soon = new Date(NOW + 60_000).toISOString();
  const past = new Date(NOW - 60_000).toISOString();
  assert.equal(isMuted({ targetId: "c1", level: "all", muteUntil: soon }, NOW), true);
  assert.equal(isMuted({ targetId: "c1", level: "all", muteUntil: past }, NOW), false);
  assert.equal(
    shouldNotify(mention, inServer, ME, settings({ targetId: "s1", muteUntil: soon }), NOW),
    false,
  );
  assert.equal(
    shouldNotify(plain, inDm, ME, settings({ targetId: "d1", muteUntil: soon }), NOW),
    false,
  );
  assert.equal(
    shouldNotify(plain, inDm, ME, settings({ targetId: "d1", muteUntil: past }), NOW),
    true,
  );
});

Deno.test("push subscribe - base64UrlBytes reads a VAPID key", () => {
  assert.deepEqual([...base64UrlBytes("AQID_-8")], [1, 2, 3, 255, 239]);
  assert.equal(base64UrlBytes("B".repeat(87)).length, 65);
});
