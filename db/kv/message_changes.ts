/**
 * The change log on Deno KV (keys in db/kv/conversation_keys.ts): one entry per message, at its
 * latest change. Each commit that changes a message (edit, deletion, reaction, pin) reads the
 * message's `["message_change_at", …]` entry, checks it, and moves the log entry to the new
 * time, so two changes of one message never leave two entries.
 */
import { MESSAGE_CHANGES_TTL_MS } from "../../lib/limits.ts";
import type { MessageChange } from "../conversation_store.ts";
import { changeAtKeyOf, changeKeyOf } from "./conversation_keys.ts";
import { channelKeyOf } from "./governance_keys.ts";

/** What a log entry says. */
interface ChangeValue {
  deleted: boolean;
}

/**
 * Adds to `op` the message's change at `at` (`changeAt` is its `["message_change_at", …]`
 * entry, read before: checked here). The entry never moves back in time: a change stamped
 * earlier than the one stored (another instance's clock) keeps the stored time.
 */
export function withChange(
  op: Deno.AtomicOperation,
  changeAt: Deno.KvEntryMaybe<number>,
  channelId: string,
  messageId: string,
  at: Date,
  deleted = false,
): Deno.AtomicOperation {
  const previous = changeAt.value;
  const time = previous === null ? at.getTime() : Math.max(previous, at.getTime());
  if (previous !== null && previous !== time) {
    op = op.delete(changeKeyOf(channelId, previous, messageId));
  }
  const expireIn = MESSAGE_CHANGES_TTL_MS;
  const value: ChangeValue = { deleted };
  return op.check(changeAt)
    .set(changeAtKeyOf(messageId), time, { expireIn })
    .set(changeKeyOf(channelId, time, messageId), value, { expireIn });
}

/** The channel's messages changed at or after `since`, by latest change, at most `limit`. */
export async function changedSince(
  kv: Deno.Kv,
  channelId: string,
  since: Date,
  limit: number,
): Promise<MessageChange[]> {
  const prefix = ["message_changes", channelId];
  const scan = async () => {
    // By id: an entry whose `message_change_at` expired before it could repeat a message.
    const changes = new Map<string, MessageChange>();
    if (limit <= 0) return changes;
    const listed = kv.list<ChangeValue>({ prefix, start: [...prefix, since.getTime()] });
    for await (const { key, value } of listed) {
      const messageId = key[3] as string;
      changes.delete(messageId);
      changes.set(messageId, { messageId, deleted: value.deleted });
      if (changes.size >= limit) break;
    }
    return changes;
  };
  const [channel, changes] = await Promise.all([kv.get(channelKeyOf(channelId)), scan()]);
  return channel.versionstamp === null ? [] : [...changes.values()];
}
