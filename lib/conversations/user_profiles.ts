/**
 * Profile cards: `GET /api/users/:id` answers with the public user for anyone sharing a server
 * or a DM with them (or oneself), and 404 otherwise, so a user id reveals nothing to a stranger.
 */
import type { UserRecord } from "../../db/store.ts";
import { NotFound } from "../errors.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { plausibleId } from "../chat/membership.ts";
import { toPublicUser } from "../public_user.ts";
import type { PublicUser } from "../public_user.ts";

export class UserProfileService {
  constructor(readonly deps: ChatDeps) {}

  /** The user `id` as `viewer` may see them. */
  async get(viewer: UserRecord, id: string): Promise<PublicUser> {
    const notFound = new NotFound("not_found", "No such user.");
    if (!plausibleId(id)) throw notFound;
    const { store } = this.deps;
    const [user, theirs, mine] = await Promise.all([
      store.findUserById(id),
      id === viewer.id ? [] : store.listServersOf(id),
      id === viewer.id ? [] : store.listServersOf(viewer.id),
    ]);
    if (!user) throw notFound;
    const shared = new Set(mine.map((s) => s.id));
    if (id !== viewer.id && !theirs.some((s) => shared.has(s.id))) {
      // Sharing a DM is enough too (API.md "Conversations").
      const dms = await store.listDmsOf(viewer.id, true);
      if (!dms.some((state) => state.dm.recipientIds.includes(id))) throw notFound;
    }
    return toPublicUser(user);
  }
}
