/** Looks up the users behind ids: message authors and server members. */
import type { MemberRecord, MessageRecord, Store, UserRecord } from "../../db/store.ts";
import type { WireMember, WireMessage } from "../realtime/protocol.ts";
import { toWireAuthor, toWireMember, toWireMessage, unknownAuthor } from "./shapes.ts";

/** The users of `ids` in that order; ids of users that no longer exist are left out. */
export async function usersInOrder(store: Store, ids: string[]): Promise<UserRecord[]> {
  const byId = new Map((await store.findUsersByIds(ids)).map((u) => [u.id, u]));
  return ids.map((id) => byId.get(id)).filter((u): u is UserRecord => u !== undefined);
}

/** Messages in the API's shape, each author read once (a deleted one shows as a placeholder). */
export async function withAuthors(
  store: Store,
  messages: MessageRecord[],
): Promise<WireMessage[]> {
  const ids = [...new Set(messages.map((m) => m.authorId))];
  const authors = new Map(
    (await store.findUsersByIds(ids)).map((u) => [u.id, toWireAuthor(u)]),
  );
  return messages.map((m) =>
    toWireMessage(m, authors.get(m.authorId) ?? unknownAuthor(m.authorId))
  );
}

/** Members in the API's shape, in the given order; members whose account is gone are left out. */
export async function wireMembers(store: Store, members: MemberRecord[]): Promise<WireMember[]> {
  const users = new Map(
    (await store.findUsersByIds(members.map((m) => m.userId))).map((u) => [u.id, u]),
  );
  return members.flatMap((member) => {
    const user = users.get(member.userId);
    return user ? [toWireMember(member, user)] : [];
  });
}
