/**
 * Pins on Deno KV (keys in db/kv/conversation_keys.ts): `["pins", channelId, messageId]` for a
 * channel's list and `["message_pins", messageId]` for a page's "which are pinned". A pin is
 * written with its audit and change-log entries in one commit that checks the message is still
 * there, so a message deleted meanwhile is never left pinned.
 */
import type { AuditEntryRecord } from "../governance_store.ts";
import type { PinRecord } from "../conversation_store.ts";
import { getEntries, listAll, optimistically, TRY_AGAIN } from "./commits.ts";
import {
  changeAtKeyOf,
  type MessageAddress,
  messageIdKeyOf,
  messagePinKeyOf,
  pinKeyOf,
} from "./conversation_keys.ts";
import { channelKeyOf, withAudit } from "./governance_keys.ts";
import { withChange } from "./message_changes.ts";

/** Newest first; pins of one millisecond by message id, descending. */
function newestFirst(a: PinRecord, b: PinRecord): number {
  return b.pinnedAt.getTime() - a.pinnedAt.getTime() ||
    (a.messageId < b.messageId ? 1 : a.messageId > b.messageId ? -1 : 0);
}

/** The pin methods of the KV store. */
export class KvPins {
  constructor(private readonly kv: Deno.Kv) {}

  pinMessage(pin: PinRecord, audit: AuditEntryRecord | null): Promise<boolean> {
    const { channelId, messageId } = pin;
    return optimistically(`pin message ${messageId}`, async () => {
      const [address, channel, pinned, changeAt] = await this.kv.getMany<
        [MessageAddress, unknown, PinRecord, number]
      >([
        messageIdKeyOf(messageId),
        channelKeyOf(channelId),
        pinKeyOf(channelId, messageId),
        changeAtKeyOf(messageId),
      ]);
      if (address.value?.[0] !== channelId || channel.versionstamp === null) return false;
      if (pinned.value !== null) return false;
      const op = this.kv.atomic().check(address).check(channel).check(pinned)
        .set(pinned.key, pin)
        .set(messagePinKeyOf(messageId), true);
      const committed = await withChange(
        withAudit(op, audit),
        changeAt,
        channelId,
        messageId,
        pin.pinnedAt,
      ).commit();
      return committed.ok ? true : TRY_AGAIN;
    });
  }

  unpinMessage(
    channelId: string,
    messageId: string,
    at: Date,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    return optimistically(`unpin message ${messageId}`, async () => {
      const [pinned, changeAt] = await this.kv.getMany<[PinRecord, number]>([
        pinKeyOf(channelId, messageId),
        changeAtKeyOf(messageId),
      ]);
      if (pinned.value === null) return false;
      const op = this.kv.atomic().check(pinned).delete(pinned.key)
        .delete(messagePinKeyOf(messageId));
      const committed = await withChange(withAudit(op, audit), changeAt, channelId, messageId, at)
        .commit();
      return committed.ok ? true : TRY_AGAIN;
    });
  }

  async listPins(channelId: string): Promise<PinRecord[]> {
    const [channel, pins] = await Promise.all([
      this.kv.get(channelKeyOf(channelId)),
      listAll<PinRecord>(this.kv, ["pins", channelId]),
    ]);
    if (channel.versionstamp === null) return [];
    return pins.map((entry) => entry.value).sort(newestFirst);
  }

  async pinsOf(messageIds: string[]): Promise<Set<string>> {
    const ids = [...new Set(messageIds)];
    const entries = await getEntries(this.kv, ids.map(messagePinKeyOf));
    return new Set(ids.filter((_, i) => entries[i].versionstamp !== null));
  }
}
