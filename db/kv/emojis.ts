/**
 * A server's custom emoji on Deno KV (keys in db/kv/conversation_keys.ts). The image (up to
 * 256 KiB, beyond one KV value) goes first: to the blob store at `emojis/<serverId>/<emojiId>`
 * (db/blob_moves.ts) or, in a store opened without one (and as written before the blob store,
 * until the start-up move `moveEmojisToBlobs` copies it; `["blob_moves", "emojis"]` → true once
 * none is left), in chunks under the emoji's id; the record's `image` says which. The commit
 * that stores the record takes the name (a `versionstamp: null` check), so of two uploads of
 * one name exactly one wins, and the loser's image is removed.
 */
import type { AuditEntryRecord } from "../governance_store.ts";
import { EmojiNameTakenError, type EmojiRecord } from "../conversation_store.ts";
import {
  type ChunkedMeta,
  deleteChunks,
  dropImageBytes,
  readChunks,
  writeChunks,
} from "./chunks.ts";
import { listAll, optimistically, TRY_AGAIN, whenUnlocked } from "./commits.ts";
import {
  type BlobsOf,
  emojiBlobKey,
  imageOfBytes,
  moveOneImage,
  openImageBlob,
  putImageBlob,
  readImageBlob,
  type StoredImage,
} from "../blob_moves.ts";
import {
  emojiChunksOf,
  emojiIdKeyOf,
  emojiKeyOf,
  emojiNameKeyOf,
  type StoredEmoji,
} from "./conversation_keys.ts";
import { serverKeyOf, withAudit } from "./governance_keys.ts";

/** Set once a move found no old-format emoji left: later start-ups skip the scan. */
const EMOJIS_MOVED: Deno.KvKey = ["blob_moves", "emojis"];

/** Removes the image a stored emoji names (once no record names it). */
export function dropEmojiImage(
  kv: Deno.Kv,
  blobs: BlobsOf | null,
  emoji: StoredEmoji,
): Promise<void> {
  return dropImageBytes(
    kv,
    blobs,
    emojiChunksOf(emoji.id),
    emojiBlobKey(emoji.serverId, emoji.id),
    emoji.image,
  );
}

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
  /** Set by `attachBlobs` (KvStore.attachBlobStore): images then go to the blob store. */
  #blobs: BlobsOf | null = null;

  constructor(private readonly kv: Deno.Kv) {}

  attachBlobs(blobs: BlobsOf): void {
    this.#blobs = blobs;
  }

  async createEmoji(
    emoji: EmojiRecord,
    bytes: Uint8Array,
    audit: AuditEntryRecord | null,
  ): Promise<void> {
    const nameKey = emojiNameKeyOf(emoji.serverId, emoji.name);
    if ((await this.kv.get(nameKey)).versionstamp !== null) {
      throw new EmojiNameTakenError(emoji.name);
    }
    const image = await this.#putImage(emoji, bytes);
    const stored: StoredEmoji = { ...emoji, image };
    try {
      await optimistically(`create emoji ${emoji.name}`, async () => {
        const [server, name] = await this.kv.getMany([serverKeyOf(emoji.serverId), nameKey]);
        if (name.versionstamp !== null) throw new EmojiNameTakenError(emoji.name);
        if (server.versionstamp === null) throw new Error(`No server ${emoji.serverId}`);
        let op = this.kv.atomic().check(server).check(name)
          .set(emojiKeyOf(emoji.serverId, emoji.id), stored)
          .set(nameKey, emoji.id)
          .set(emojiIdKeyOf(emoji.id), emoji.serverId);
        // An old-format write (a store without the blob store) leaves work for the next move.
        if (!image.inBlob) op = op.delete(EMOJIS_MOVED);
        return (await withAudit(op, audit).commit()).ok ? undefined : TRY_AGAIN;
      });
    } catch (error) {
      await dropEmojiImage(this.kv, this.#blobs, stored);
      throw error;
    }
  }

  /** Writes the image where the record will say it is. */
  async #putImage(emoji: EmojiRecord, bytes: Uint8Array): Promise<ChunkedMeta> {
    const image = { contentType: emoji.contentType, version: emoji.id, bytes };
    if (!this.#blobs) return await writeChunks(this.kv, emojiChunksOf(emoji.id), image);
    await putImageBlob(
      await this.#blobs(),
      emojiBlobKey(emoji.serverId, emoji.id),
      bytes,
      emoji.contentType,
    );
    return {
      contentType: emoji.contentType,
      version: emoji.id,
      chunks: 0,
      size: bytes.length,
      inBlob: true,
    };
  }

  async listEmojis(serverId: string): Promise<EmojiRecord[]> {
    const [server, emojis] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll<StoredEmoji>(this.kv, ["emojis", serverId]),
    ]);
    if (server.versionstamp === null) return [];
    return emojis.map((entry) => recordOf(entry.value)).sort(oldestFirst);
  }

  /** The stored emoji of that id, if its server still exists. */
  async #find(emojiId: string): Promise<StoredEmoji | null> {
    const serverId = (await this.kv.get<string>(emojiIdKeyOf(emojiId))).value;
    if (serverId === null) return null;
    const [stored, server] = await this.kv.getMany<[StoredEmoji, unknown]>([
      emojiKeyOf(serverId, emojiId),
      serverKeyOf(serverId),
    ]);
    return server.versionstamp === null ? null : stored.value;
  }

  async findEmojiImage(
    emojiId: string,
  ): Promise<{ emoji: EmojiRecord; bytes: Uint8Array } | null> {
    const stored = await this.#find(emojiId);
    if (stored === null) return null;
    const bytes = stored.image.inBlob
      ? await readImageBlob(await this.#blobs!(), emojiBlobKey(stored.serverId, emojiId))
      : await readChunks(this.kv, emojiChunksOf(emojiId), stored.image);
    return bytes && { emoji: recordOf(stored), bytes };
  }

  async openEmojiImage(
    emojiId: string,
  ): Promise<{ emoji: EmojiRecord; image: StoredImage } | null> {
    const stored = await this.#find(emojiId);
    if (stored === null) return null;
    if (stored.image.inBlob) {
      const key = emojiBlobKey(stored.serverId, emojiId);
      const image = await openImageBlob(await this.#blobs!(), key, stored.image);
      return image && { emoji: recordOf(stored), image };
    }
    const bytes = await readChunks(this.kv, emojiChunksOf(emojiId), stored.image);
    return bytes && { emoji: recordOf(stored), image: imageOfBytes(stored.image, bytes) };
  }

  /** Copies emoji images still in chunks into the blob store (idempotent, resumable). */
  async moveEmojisToBlobs(): Promise<number> {
    if ((await this.kv.get(EMOJIS_MOVED)).value !== null) return 0;
    let moved = 0;
    for await (const entry of this.kv.list<StoredEmoji>({ prefix: ["emojis"] })) {
      const stored = entry.value;
      if (stored.image.inBlob) continue;
      const bytes = await readChunks(this.kv, emojiChunksOf(stored.id), stored.image);
      // Deleted since it was listed.
      if (bytes === null) continue;
      const ok = await moveOneImage(
        await this.#blobs!(),
        emojiBlobKey(stored.serverId, stored.id),
        { contentType: stored.image.contentType, bytes },
        async () =>
          (await this.kv.atomic().check(entry).set(entry.key, {
            ...stored,
            image: { ...stored.image, chunks: 0, inBlob: true },
          }).commit()).ok,
        async () => (await this.kv.get<StoredEmoji>(entry.key)).value?.image.inBlob === true,
      );
      // The chunks go once no record names them (moved, or the emoji deleted).
      await deleteChunks(this.kv, emojiChunksOf(stored.id));
      if (ok) moved++;
    }
    await whenUnlocked(() => this.kv.set(EMOJIS_MOVED, true));
    return moved;
  }

  async deleteEmoji(
    serverId: string,
    emojiId: string,
    audit: AuditEntryRecord | null,
  ): Promise<boolean> {
    const deleted = await optimistically(`delete emoji ${emojiId}`, async () => {
      const stored = await this.kv.get<StoredEmoji>(emojiKeyOf(serverId, emojiId));
      if (stored.value === null) return null;
      const op = this.kv.atomic().check(stored)
        .delete(stored.key)
        .delete(emojiNameKeyOf(serverId, stored.value.name))
        .delete(emojiIdKeyOf(emojiId));
      return (await withAudit(op, audit).commit()).ok ? stored.value : TRY_AGAIN;
    });
    // Unreachable once the record is gone: the image goes after.
    if (deleted) await dropEmojiImage(this.kv, this.#blobs, deleted);
    return deleted !== null;
  }
}
