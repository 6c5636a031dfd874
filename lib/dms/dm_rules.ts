/**
 * Who may open a DM with whom (API.md "Direct messages"): the other person's `dmPolicy`
 * ("server_members", the default: only people sharing a server with them; "everyone";
 * "nobody": no one, even sharing a server), and never someone who blocked the caller. A refusal
 * is `403 dm_not_allowed`, the same whatever the reason, so it reveals nothing more.
 */
import type { Store, UserRecord } from "../../db/store.ts";
import { Forbidden } from "../errors.ts";

/** True if the two users are members of a common server. */
export async function shareServer(store: Store, a: string, b: string): Promise<boolean> {
  const [mine, theirs] = await Promise.all([store.listServersOf(a), store.listServersOf(b)]);
  const shared = new Set(mine.map((server) => server.id));
  return theirs.some((server) => shared.has(server.id));
}

/** Throws `403 dm_not_allowed` unless `caller` may open a DM with (or add) `target`. */
export async function checkMayDm(store: Store, caller: UserRecord, target: UserRecord) {
  const [policy, blocked] = await Promise.all([
    store.findDmPolicy(target.id),
    store.hasBlocked(target.id, caller.id),
  ]);
  const allowed = !blocked && policy !== "nobody" &&
    (policy === "everyone" || await shareServer(store, caller.id, target.id));
  if (!allowed) {
    throw new Forbidden(
      "dm_not_allowed",
      `${target.displayName || target.username} does not accept direct messages from you.`,
    );
  }
}
