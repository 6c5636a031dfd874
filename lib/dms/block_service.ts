/**
 * Blocks (API.md "Direct messages"): `PUT / DELETE /api/users/:id/block`. Someone blocked cannot
 * open a DM with the blocker (`403 dm_not_allowed`), and neither can send into their DM
 * (`403 blocked`, dm_send_gate.ts).
 */
import type { UserRecord } from "../../db/store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { plausibleId } from "../chat/membership.ts";
import { Invalid, NotFound } from "../errors.ts";

export class BlockService {
  constructor(readonly deps: ChatDeps) {}

  /** Blocks `userId` (idempotent). */
  async block(user: UserRecord, userId: string): Promise<void> {
    await this.#target(user, userId);
    await this.deps.store.blockUser(user.id, userId, new Date(this.deps.now()));
  }

  /** Unblocks `userId` (idempotent). */
  async unblock(user: UserRecord, userId: string): Promise<void> {
    await this.#target(user, userId);
    await this.deps.store.unblockUser(user.id, userId);
  }

  async #target(user: UserRecord, userId: string): Promise<void> {
    if (userId === user.id) throw new Invalid("invalid_recipients", "You cannot block yourself.");
    const target = plausibleId(userId) ? await this.deps.store.findUserById(userId) : null;
    if (!target) throw new NotFound("not_found", "No such user.");
  }
}
