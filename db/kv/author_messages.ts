/**
 * The Deno KV index of a user's messages across every channel, for the data export:
 * `["author_messages", authorId, messageId]` → [channelId, seq], the message's address.
 *
 * The entry is written in the same atomic commit as its message (both append paths of
 * kv_store.ts) and deleted in the same commit as it, so the index never names a message that
 * is gone nor misses one that exists (new code that deletes messages, a channel's deletion say,
 * must delete their entries too). It holds the address, not a copy: edits touch only the
 * message. Measured on a local file, it adds about a quarter to the bytes a message writes. Message ids are UUIDv7, so listing the prefix
 * gives a user's messages in the order they were sent. Messages stored before the index existed
 * get their entries once per database, when the store opens (`indexLegacyAuthorMessages`).
 */
import type { MessageRecord } from "../store.ts";
import { retry } from "../retry.ts";
import { isLocked } from "./locked.ts";

/** Tries of one backfill write while another handle holds the file's lock. */
const LOCKED_WRITE_ATTEMPTS = 20;

/** Where a message is stored: `["messages", channelId, seq]`. */
export type MessageAddress = [channelId: string, seq: number];

/** The index entry of one message. */
export function authorMessageKey(authorId: string, messageId: string): Deno.KvKey {
  return ["author_messages", authorId, messageId];
}

/** The addresses of up to `limit` of the author's messages with ids above `afterId`, by id. */
export async function authorMessageAddresses(
  kv: Deno.Kv,
  authorId: string,
  { afterId, limit }: { afterId?: string; limit: number },
): Promise<MessageAddress[]> {
  const prefix = ["author_messages", authorId];
  // "\0" after the id: the first key above it (a list's `start` is inclusive).
  const selector = afterId === undefined
    ? { prefix }
    : { prefix, start: [...prefix, `${afterId}\0`] };
  const addresses: MessageAddress[] = [];
  for await (const entry of kv.list<MessageAddress>(selector, { limit })) {
    addresses.push(entry.value);
  }
  return addresses;
}

/**
 * Gives every message stored before the index existed its entry, once per database (a marker
 * says it was done). Each write is checked against the message as it was read, so a message
 * deleted meanwhile gets none, and one edited meanwhile is read again.
 */
export async function indexLegacyAuthorMessages(kv: Deno.Kv): Promise<void> {
  const marker = ["migrations", "author_messages"];
  if ((await kv.get(marker)).value !== null) return;
  for await (const entry of kv.list<MessageRecord>({ prefix: ["messages"] })) {
    await indexOne(kv, entry);
  }
  await retryLocked(() => kv.set(marker, true));
}

async function indexOne(kv: Deno.Kv, read: Deno.KvEntryMaybe<MessageRecord>): Promise<void> {
  for (let entry = read; entry.value !== null; entry = await kv.get<MessageRecord>(entry.key)) {
    const { authorId, id, channelId, seq } = entry.value;
    const address: MessageAddress = [channelId, seq];
    const checked = entry;
    const written = await retryLocked(() =>
      kv.atomic().check(checked).set(authorMessageKey(authorId, id), address).commit()
    );
    if (written.ok) return;
  }
}

function retryLocked<T>(write: () => Promise<T>): Promise<T> {
  return retry(write, { attempts: LOCKED_WRITE_ATTEMPTS, isRetryable: isLocked, maxBackOffMs: 20 });
}
