/**
 * A server's custom emoji on Deno KV (keys in db/kv/conversation_keys.ts). The image (up to
 * 256 KiB, beyond one KV value) goes in chunks first, under the emoji's id; the commit that
 * stores the record takes the name (a `versionstamp: null` check), so of two uploads of one
 * name exactly one wins, and the loser's chunks are removed.
 */
import type { AuditEntryRecord } from "../governance_store.ts";
import { EmojiNameTakenError, type EmojiRecord } from "../conversation_store.ts";
import { deleteChunks, readChunks, writeChunks } from "./chunks.ts";
import { listAll, optimistically, TRY_AGAIN } from "./commits.ts";
import {
  emojiChunksOf,
  emojiIdKeyOf,
  emojiKeyOf,
  emojiNameKeyOf,
  type StoredEmoji,
} from "./conversation_keys.ts";
import { serverKeyOf, withAudit } from "./governance_keys.ts";

/** The record without where its image is. */
function recordOf({ image: _, ...emoji }: StoredEmoji): EmojiRecord {
  return emoji;
}

/** Oldest first, ties by id. */
function oldestFirst(a: EmojiRecord, b: EmojiRecord): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The custom emoji methods of the KV store. */
export class KvEmojis {
  constructor(private readonly kv: Deno.Kv) {}

  async createEmoji(
    emoji: EmojiRecord,
    bytes: Uint8Array,
    audit: AuditEntryRecord | null,
  ): Promise<void> {
    const nameKey = emojiNameKeyOf(emoji.serverId, emoji.name);
    if ((await this.kv.get(nameKey)).versionstamp !== null) {
      throw new EmojiNameTakenError(emoji.name);
    }
    const chunks = emojiChunksOf(emoji.id);
    const image = await writeChunks(this.kv, chunks, {
      contentType: emoji.contentType,
      version: emoji.id,
      bytes,
    });
    const stored: StoredEmoji = { ...emoji, image };
    try {
      await optimistically(`create emoji ${emoji.name}`, async () => {
        const [server, name] = await this.kv.getMany([serverKeyOf(emoji.serverId), nameKey]);
        if (name.versionstamp !== null) throw new EmojiNameTakenError(emoji.name);
        if (server.versionstamp === null) throw new Error(`No server ${emoji.serverId}`);
        const op = this.kv.atomic().check(server).check(name)
          .set(emojiKeyOf(emoji.serverId, emoji.id), stored)
          .set(nameKey, emoji.id)
          .set(emojiIdKeyOf(emoji.id), emoji.serverId);
        return (await withAudit(op, audit).commit()).ok ? undefined : TRY_AGAIN;
      });
    } catch (error) {
      await deleteChunks(this.kv, chunks);
      throw error;
    }
  }

  async listEmojis(serverId: string): Promise<EmojiRecord[]> {
    const [server, emojis] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll<StoredEmoji>(this.kv, ["emojis", serverId]),
    ]);
    if (server.versionstamp === null) return [];
    return emojis.map((entry) => recordOf(entry.value)).sort(oldestFirst);
  }

  async findEmojiImage(
    emojiId: string,
  ): Promise<{ emoji: EmojiRecord; bytes: Uint8Array } | null> {
    const serverId = (await this.kv.get<string>(emojiIdKeyOf(emojiId))).value;
    if (serverId === null) return null;
    const [stored, server] = await this.kv.getMany<[StoredEmoji, unknown]>([
      emojiKeyOf(serverId, emojiId),
      serverKeyOf(serverId),
    ]);
    if (stored.value === null || server.versionstamp === null) return null;
    const bytes = await readChunks(this.kv, emojiChunksOf(emojiId), stored.value.image);
    return bytes && { emoji: recordOf(stored.value), bytes };
  }

  async deleteEmoji(
    serverId: string,
    emojiId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    const deleted = await optimistically(`delete emoji ${emojiId}`, async () => {
      const stored = await this.kv.get<StoredEmoji>(emojiKeyOf(serverId, emojiId));
      if (stored.value === null) return false;
      const op = this.kv.atomic().check(stored)
        .delete(stored.key)
        .delete(emojiNameKeyOf(serverId, stored.value.name))
        .delete(emojiIdKeyOf(emojiId));
      return (await withAudit(op, audit).commit()).ok ? true : TRY_AGAIN;
    });
    // Unreachable once the record is gone: the chunks go after.
    if (deleted) await deleteChunks(this.kv, emojiChunksOf(emojiId));
    return deleted;
  }
}
