/**
 * The direct-message shapes of API.md ("Direct messages", "Notifications") as the islands read
 * them. Types only. lib/realtime/protocol.ts gains the server's own; these name just what the
 * browser uses, so the islands build whichever lands first.
 */
import type { ReadyChannel, ServerEvent, WireUser } from "../../lib/realtime/protocol.ts";

/** A DM or group DM as `GET /api/dms` and `ready.dms` list it. */
export interface DmChannel {
  id: string;
  serverId: null;
  kind: "dm" | "group_dm";
  name: string | null;
  recipients: WireUser[];
  createdAt: string;
  lastSeq: number;
  readSeq: number;
}

/** One entry of `GET /api/me/notifications`. */
export interface NotificationSetting {
  targetId: string;
  level: NotificationLevel;
  muteUntil: string | null;
}

export type NotificationLevel = "all" | "mentions" | "none" | "default";

/** Who may open a DM with a user (`PATCH /api/me {dmPolicy}`). */
export type DmPolicy = "everyone" | "server_members" | "nobody";

/** The events the DM islands read, beside the protocol's own. */
export type DmEvent =
  | { type: "dm_created"; channel: DmChannel }
  | { type: "dm_updated"; channel: DmChannel }
  | { type: "dm_removed"; channelId: string };

/** `ready` with `dms` (API.md "Direct messages"). */
export type ReadyWithDms = Extract<ServerEvent, { type: "ready" }> & {
  dms?: DmChannel[];
  servers: { channels: ReadyChannel[] }[];
};

/** What a DM is called: its name, or its recipients' names. */
export function dmTitle(channel: Pick<DmChannel, "name" | "recipients">): string {
  if (channel.name) return channel.name;
  const names = channel.recipients.map((user) => user.displayName || user.username);
  return names.length > 0 ? names.join(", ") : "Just you";
}

/** The composer's name in a DM: `Message @<name>` (API.md "The screen's names"). */
export function dmComposerName(channel: Pick<DmChannel, "name" | "recipients">): string {
  return `@${dmTitle(channel)}`;
}

/** A DM's page. */
export const dmUrl = (channelId: string, seq?: number) =>
  `/chat/dm/${channelId}${seq === undefined ? "" : `?m=${seq}`}`;
