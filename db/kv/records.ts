/**
 * Records as KV returns them: values stored before a field existed lack it, so every read of a
 * server, channel, invite or message goes through these (KV has no migration that adds a column), and a
 * server stored before roles reads its default `@everyone`.
 */
import { DEFAULT_EVERYONE_PERMISSIONS } from "../../lib/permissions/permission_names.ts";
import type { RoleRecord } from "../governance_store.ts";
import type { ChannelRecord, InviteRecord, MessageRecord, ServerRecord } from "../store.ts";

/** A server with `iconVersion` (null for records stored before icons). */
export function serverWithDefaults(server: ServerRecord): ServerRecord {
  return { ...server, iconVersion: server.iconVersion ?? null };
}

/** A channel with kind, parent, topic and position ("text", none, "", 0 before they existed). */
export function channelWithDefaults(channel: ChannelRecord): ChannelRecord {
  return {
    ...channel,
    kind: channel.kind ?? "text",
    parentId: channel.parentId ?? null,
    topic: channel.topic ?? "",
    position: channel.position ?? 0,
  };
}

/** A message with its reply and mentions (none for records stored before they existed). */
export function messageWithDefaults(message: MessageRecord): MessageRecord {
  if (message.replyToId !== undefined && message.mentions !== undefined) return message;
  return {
    ...message,
    replyToId: message.replyToId ?? null,
    mentions: message.mentions ?? { users: [], everyone: false },
  };
}

/** An invite with its limits (never expires, unlimited, unused before they existed). */
export function inviteWithDefaults(invite: InviteRecord): InviteRecord {
  return {
    ...invite,
    expiresAt: invite.expiresAt ?? null,
    maxUses: invite.maxUses ?? 0,
    uses: invite.uses ?? 0,
  };
}

/** The `@everyone` role a new server gets (and a server stored before roles reads). */
export function everyoneRole(serverId: string): RoleRecord {
  return {
    id: serverId,
    serverId,
    name: "@everyone",
    color: null,
    position: 0,
    permissions: [...DEFAULT_EVERYONE_PERMISSIONS],
    mentionable: false,
  };
}

/** Roles in hierarchy order: lowest position first (`@everyone`), ties by id. */
export function byPosition(a: RoleRecord, b: RoleRecord): number {
  return a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Whether applying `patch` to `record` changes nothing (values compared as JSON). */
export function changesNothing<T extends object>(record: T, patch: Partial<T>): boolean {
  return Object.entries(patch).every(([key, value]) =>
    value === undefined || JSON.stringify(record[key as keyof T]) === JSON.stringify(value)
  );
}

/** The patch without keys set to undefined (which mean "unchanged", not "erase"). */
export function definedOf<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
