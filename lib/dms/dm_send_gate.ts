/**
 * What a send into a DM checks beyond the snapshot, read from the store at each send (the
 * append then stores without a server membership check): the sender is still a member (a
 * snapshot on this instance may be a moment behind a leave), and, in a one-to-one DM, neither
 * blocked the other (`403 blocked`). After the message is stored, members who had closed the
 * DM get it back (`dm_created`) before the message reaches them.
 */
import type { ChannelRecord, DmChannelRecord, UserRecord } from "../../db/store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { Forbidden, NotFound } from "../errors.ts";
import { publishDm } from "./dm_events.ts";

export class DmSendGate {
  constructor(readonly deps: ChatDeps) {}

  /** The DM, if `user` may send into it now. */
  async check(user: UserRecord, channel: ChannelRecord): Promise<DmChannelRecord> {
    const { store } = this.deps;
    const dm = await store.findDmChannel(channel.id);
    if (!dm || !dm.recipientIds.includes(user.id)) {
      throw new NotFound("not_found", "No such channel.");
    }
    if (dm.channel.kind === "dm") {
      const other = dm.recipientIds.find((id) => id !== user.id);
      if (other !== undefined) {
        const [theyBlocked, iBlocked] = await Promise.all([
          store.hasBlocked(other, user.id),
          store.hasBlocked(user.id, other),
        ]);
        if (theyBlocked || iBlocked) {
          throw new Forbidden(
            "blocked",
            theyBlocked
              ? "You cannot send messages to this user."
              : "You blocked this user: unblock them to send messages.",
          );
        }
      }
    }
    return dm;
  }

  /** After a message was stored: the DM opens again for whoever had closed it. */
  async sent(dm: DmChannelRecord): Promise<void> {
    if (dm.closedBy.length === 0) return;
    await Promise.all(
      dm.closedBy.map((id) => this.deps.store.setDmClosed(dm.channel.id, id, false)),
    );
    await publishDm(this.deps, "dm_created", { ...dm, closedBy: [] }, dm.closedBy);
  }
}
