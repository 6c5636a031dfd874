/** Who a message notifies, from settings alone (lib/notifications/notify_decision.ts). */
import assert from "node:assert/strict";
import type { NotificationSettingRecord } from "../db/store.ts";
import { effectiveLevel, hereOnly, shouldNotify } from "../lib/notifications/notify_decision.ts";

const NOW = Date.parse("2026-12-02T08:00:00Z");
const setting = (
  level: NotificationSettingRecord["level"],
  muteUntil: string | null = null,
): NotificationSettingRecord => ({
  userId: "u",
  targetId: "t",
  level,
  muteUntil: muteUntil === null ? null : new Date(muteUntil),
});

Deno.test("shouldNotify - defaults: DMs and mentions notify, other messages do not", () => {
  assert.equal(shouldNotify({ settings: {}, isDm: true, mentioned: false, now: NOW }), true);
  assert.equal(shouldNotify({ settings: {}, isDm: false, mentioned: true, now: NOW }), true);
  assert.equal(shouldNotify({ settings: {}, isDm: false, mentioned: false, now: NOW }), false);
});

Deno.test("shouldNotify - the channel's level wins over the server's; default defers", () => {
  const server = setting("none");
  assert.equal(effectiveLevel({ server }, false), "none");
  assert.equal(effectiveLevel({ server, channel: setting("all") }, false), "all");
  assert.equal(effectiveLevel({ server, channel: setting("default") }, false), "none");
  assert.equal(effectiveLevel({ channel: setting("mentions") }, true), "mentions");
  assert.equal(
    shouldNotify({ settings: { server }, isDm: false, mentioned: true, now: NOW }),
    false,
  );
  assert.equal(
    shouldNotify({
      settings: { channel: setting("all") },
      isDm: false,
      mentioned: false,
      now: NOW,
    }),
    true,
  );
});

Deno.test("shouldNotify - a running mute on the channel or the server silences everything", () => {
  const later = "2026-12-02T09:00:00Z";
  const earlier = "2026-12-02T07:00:00Z";
  const muted = { server: setting("default", later), channel: setting("all") };
  assert.equal(shouldNotify({ settings: muted, isDm: false, mentioned: true, now: NOW }), false);
  const ended = { channel: setting("default", earlier) };
  assert.equal(shouldNotify({ settings: ended, isDm: true, mentioned: false, now: NOW }), true);
});

Deno.test("hereOnly - @here alone, or with @everyone", () => {
  assert.equal(hereOnly("@here standup"), true);
  assert.equal(hereOnly("@everyone standup"), false);
  assert.equal(hereOnly("@here and @everyone"), false);
  assert.equal(hereOnly("mail me at a@everyone.org @here"), true);
});
