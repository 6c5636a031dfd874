/**
 * Whether a message should notify the reader (API.md "Notifications"): by default DMs and
 * mentions (of the reader, `@everyone`/`@here`) notify and other messages do not; a channel's
 * own level wins over its server's (`default` defers to the next), and a mute (`muteUntil` in
 * the future) of either silences it. Pure, so it is tested alone.
 */
import type { WireMessage } from "../../lib/realtime/protocol.ts";
import type { NotificationLevel, NotificationSetting } from "./dm_types.ts";

/** Settings by target id (a server, a channel or a DM). */
export type SettingsMap = ReadonlyMap<string, NotificationSetting>;

/** Where a message was written. */
export interface MessagePlace {
  channelId: string;
  /** null for a DM. */
  serverId: string | null;
}

/** True while `setting` mutes its target at `now`. */
export function isMuted(setting: NotificationSetting | undefined, now: number): boolean {
  return !!setting?.muteUntil && Date.parse(setting.muteUntil) > now;
}

/** The level that applies to a place (never `default`). */
export function effectiveLevel(settings: SettingsMap, place: MessagePlace): NotificationLevel {
  const own = settings.get(place.channelId)?.level;
  if (own && own !== "default") return own;
  if (place.serverId === null) return "all";
  const server = settings.get(place.serverId)?.level;
  return server && server !== "default" ? server : "mentions";
}

/** Should `message` notify the reader `meId`? */
export function shouldNotify(
  message: Pick<WireMessage, "author" | "mentions">,
  place: MessagePlace,
  meId: string,
  settings: SettingsMap,
  now: number,
): boolean {
  if (message.author.id === meId) return false;
  if (isMuted(settings.get(place.channelId), now)) return false;
  if (place.serverId !== null && isMuted(settings.get(place.serverId), now)) return false;
  const level = effectiveLevel(settings, place);
  if (level === "all") return true;
  if (level === "none") return false;
  const mentions = message.mentions;
  return !!mentions && (mentions.everyone || mentions.users.includes(meId));
}
