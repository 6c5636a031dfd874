/**
 * Whether one message notifies one user, from their settings (API.md "Notifications"): by
 * default DMs and mentions notify and other messages do not; a channel's (or DM's) own level
 * wins over its server's; `none` silences even mentions; a mute (on the channel or its server)
 * silences everything until it ends.
 */
import type { NotificationLevel, NotificationSettingRecord } from "../../db/store.ts";

/** A user's settings that bear on one message: on its channel (or DM), and on its server. */
export interface SettingsForMessage {
  channel?: NotificationSettingRecord;
  server?: NotificationSettingRecord;
}

/** The level that applies: the channel's, else the server's, else the default. */
export function effectiveLevel(
  settings: SettingsForMessage,
  isDm: boolean,
): Exclude<NotificationLevel, "default"> {
  for (const setting of [settings.channel, settings.server]) {
    if (setting && setting.level !== "default") return setting.level;
  }
  return isDm ? "all" : "mentions";
}

/** True if a mute on the channel or on its server is still running at `now`. */
export function isMuted(settings: SettingsForMessage, now: number): boolean {
  return [settings.channel, settings.server].some((setting) =>
    setting?.muteUntil != null && setting.muteUntil.getTime() > now
  );
}

/**
 * True if the message notifies the user (before the question of whether a page of theirs is in
 * sight, and never for its author: the caller leaves them out).
 */
export function shouldNotify(input: {
  settings: SettingsForMessage;
  isDm: boolean;
  mentioned: boolean;
  now: number;
}): boolean {
  if (isMuted(input.settings, input.now)) return false;
  switch (effectiveLevel(input.settings, input.isDm)) {
    case "all":
      return true;
    case "mentions":
      return input.mentioned;
    case "none":
      return false;
  }
}

/** `@everyone` written in the content (not only `@here`, which notifies only those online). */
const EVERYONE = /(?<![\w.@-])@everyone(?![a-z0-9_-])/i;

/** True if a message whose mentions say `everyone` said only `@here`. */
export function hereOnly(content: string): boolean {
  return !EVERYONE.test(content);
}
