/**
 * Attachment records on Deno KV (db/attachment_store.ts):
 * - `["attachments", id]` → AttachmentRecord
 * - `["attachments_by_user", uploaderId, id]` → bytes it takes (quota sums)
 * - `["attachments_unclaimed", createdAtMs, id]` → id (the orphan sweep, oldest first)
 * - `["attachments_by_message", messageId, id]`, `["attachments_by_channel", channelId, id]`,
 *   `["attachments_by_server", serverId, id]` → id (removal with what they belong to)
 *
 * A message claims its attachments in its own append commit (`claimAttachments`): each record is
 * checked at the version read, so two messages racing for one upload cannot both take it.
 */
import type { AttachmentRecord, AttachmentScope, AttachmentStore } from "../attachment_store.ts";
import { InvalidAttachmentError, storedBytesOf } from "../attachment_store.ts";
import type { NewMessage } from "../store.ts";
import { getAll, getEntries, optimistically, TRY_AGAIN, whenUnlocked } from "./commits.ts";

const recordKey = (id: string): Deno.KvKey => ["attachments", id];
const userKey = (r: AttachmentRecord): Deno.KvKey => ["attachments_by_user", r.uploaderId, r.id];
const unclaimedKey = (r: AttachmentRecord): Deno.KvKey => [
  "attachments_unclaimed",
  r.createdAt.getTime(),
  r.id,
];
const messageKey = (messageId: string, id: string): Deno.KvKey => [
  "attachments_by_message",
  messageId,
  id,
];
const channelKey = (r: AttachmentRecord): Deno.KvKey => [
  "attachments_by_channel",
  r.channelId,
  r.id,
];
const serverKey = (r: AttachmentRecord): Deno.KvKey => ["attachments_by_server", r.serverId, r.id];

/** Records deleted per commit (each takes up to 6 mutations and a check). */
const DELETE_BATCH = 50;

export class KvAttachments implements AttachmentStore {
  constructor(private readonly kv: Deno.Kv) {}

  async createAttachment(record: AttachmentRecord): Promise<void> {
    const op = this.kv.atomic()
      .check({ key: recordKey(record.id), versionstamp: null })
      .set(recordKey(record.id), record)
      .set(userKey(record), storedBytesOf(record))
      .set(channelKey(record), record.id)
      .set(serverKey(record), record.id);
    const claimed = record.messageId === null
      ? op.set(unclaimedKey(record), record.id)
      : op.set(messageKey(record.messageId, record.id), record.id);
    const result = await whenUnlocked(() => claimed.commit());
    if (!result.ok) throw new Error(`Attachment ${record.id} exists`);
  }

  async findAttachments(ids: string[]): Promise<AttachmentRecord[]> {
    const records = await getAll<AttachmentRecord>(this.kv, [...new Set(ids)].map(recordKey));
    return records.filter((r): r is AttachmentRecord => r !== null);
  }

  async uploadedBytesOf(userId: string): Promise<number> {
    let total = 0;
    for await (const entry of this.kv.list<number>({ prefix: ["attachments_by_user", userId] })) {
      total += entry.value;
    }
    return total;
  }

  async listUnclaimedAttachments(before: Date, limit: number): Promise<AttachmentRecord[]> {
    const ids: string[] = [];
    const listed = this.kv.list<string>({
      start: ["attachments_unclaimed", 0],
      end: ["attachments_unclaimed", before.getTime()],
    }, { limit });
    for await (const entry of listed) ids.push(entry.value);
    return await this.findAttachments(ids);
  }

  async attachmentsOf(scope: AttachmentScope, limit: number): Promise<AttachmentRecord[]> {
    const prefix: Deno.KvKey = "messageId" in scope
      ? ["attachments_by_message", scope.messageId]
      : "channelId" in scope
      ? ["attachments_by_channel", scope.channelId]
      : ["attachments_by_server", scope.serverId];
    const ids: string[] = [];
    for await (const entry of this.kv.list<string>({ prefix }, { limit })) ids.push(entry.value);
    return await this.findAttachments(ids);
  }

  async deleteAttachments(
    ids: string[],
    options: { unclaimedOnly?: boolean } = {},
  ): Promise<AttachmentRecord[]> {
    const deleted: AttachmentRecord[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += DELETE_BATCH) {
      const slice = unique.slice(i, i + DELETE_BATCH);
      deleted.push(
        ...await optimistically(`delete attachments`, async () => {
          const entries = await getEntries<AttachmentRecord>(this.kv, slice.map(recordKey));
          let op = this.kv.atomic();
          const gone: AttachmentRecord[] = [];
          for (const entry of entries) {
            if (entry.value === null) continue;
            if (options.unclaimedOnly && entry.value.messageId !== null) continue;
            const r = entry.value;
            gone.push(r);
            op = op.check(entry).delete(entry.key).delete(userKey(r)).delete(channelKey(r))
              .delete(serverKey(r)).delete(unclaimedKey(r));
            if (r.messageId !== null) op = op.delete(messageKey(r.messageId, r.id));
          }
          if (gone.length === 0) return gone;
          return (await op.commit()).ok ? gone : TRY_AGAIN;
        }),
      );
    }
    return deleted;
  }
}

/**
 * Adds to an append commit (in place: an AtomicOperation must not be returned from an async
 * function, it refuses to be awaited) the claim of the message's attachments: each must be the author's
 * unsent upload to the message's channel (else InvalidAttachmentError), checked unchanged at the
 * commit. One read of at most ATTACHMENTS_PER_MESSAGE_MAX keys.
 */
export async function claimAttachments(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
  message: NewMessage,
): Promise<void> {
  const ids = (message.attachments ?? []).map((a) => a.id);
  if (ids.length === 0) return;
  if (new Set(ids).size < ids.length) throw new InvalidAttachmentError(ids[0]);
  const entries = await getEntries<AttachmentRecord>(kv, ids.map(recordKey));
  for (const [i, entry] of entries.entries()) {
    const r = entry.value;
    if (
      r === null || r.uploaderId !== message.authorId || r.channelId !== message.channelId ||
      r.messageId !== null
    ) throw new InvalidAttachmentError(ids[i]);
    op.check(entry).set(entry.key, { ...r, messageId: message.id })
      .delete(unclaimedKey(r)).set(messageKey(message.id, r.id), r.id);
  }
}
