/** Stored DMs → the API's DM channel (API.md "Direct messages"). */
import type { DmChannelRecord, Store, UserRecord } from "../../db/store.ts";
import { toPublicUser } from "../public_user.ts";
import type { WireDmChannel } from "../realtime/protocol.ts";

/** A DM with its seqs, as one member sees it. */
export interface DmView {
  dm: DmChannelRecord;
  lastSeq: number;
  readSeq: number;
}

/** The DM as `readerId` sees it: `recipients` are everyone else in it (deleted users left out). */
export function toWireDm(
  view: DmView,
  readerId: string,
  users: ReadonlyMap<string, UserRecord>,
): WireDmChannel {
  const { channel, recipientIds } = view.dm;
  return {
    id: channel.id,
    serverId: null,
    kind: channel.kind === "group_dm" ? "group_dm" : "dm",
    name: channel.name === "" ? null : channel.name,
    createdAt: channel.createdAt.toISOString(),
    recipients: recipientIds.filter((id) => id !== readerId).flatMap((id) => {
      const user = users.get(id);
      return user ? [toPublicUser(user)] : [];
    }),
    lastSeq: view.lastSeq,
    readSeq: view.readSeq,
  };
}

/** The users of these DMs, read at once. */
export async function usersOfDms(
  store: Store,
  dms: DmChannelRecord[],
): Promise<Map<string, UserRecord>> {
  const ids = [...new Set(dms.flatMap((dm) => dm.recipientIds))];
  const users = await store.findUsersByIds(ids);
  return new Map(users.map((user) => [user.id, user]));
}

/** Many DMs as one reader sees them, in the given order. */
export async function toWireDms(
  store: Store,
  views: DmView[],
  readerId: string,
): Promise<WireDmChannel[]> {
  const users = await usersOfDms(store, views.map((view) => view.dm));
  return views.map((view) => toWireDm(view, readerId, users));
}
