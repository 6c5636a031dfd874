/**
 * Avatars, server icons and custom emoji in the blob store (issue 16): the bytes live at
 * `avatars/<userId>/<version>`, `icons/<serverId>/<version>` and `emojis/<serverId>/<emojiId>`;
 * the store's record keeps only the metadata. Both stores share these helpers.
 *
 * Writing: the blob first, then the record (the version bump), then the replaced blob goes; a
 * crash in between leaves at most an unreferenced blob, never a record naming no bytes. The key
 * is outside the attachments' prefix, so the orphan sweeper (lib/attachments/orphan_sweeper.ts,
 * which lists `attachments/` only) never touches it.
 *
 * Images written before the move keep their bytes in the store ("old format") until
 * `moveAvatarsToBlobs` / `moveServerImagesToBlobs` (run once in the background at start-up,
 * lib/services.ts) copy them over; until then they are read from the store as before.
 *
 * Serving streams the bytes from the blob store (`openAvatar`, `openServerIcon`,
 * `openEmojiImage`: a StoredImage) rather than reading them whole first.
 */
import type { BlobStore } from "./blob_store.ts";

/** How the store reaches the blob store: lazily, so a store that never reads an image opens none. */
export type BlobsOf = () => Promise<BlobStore>;

/** Avatars moved per query by the start-up move. */
export const AVATAR_MOVE_BATCH = 50;

/** The blob of one avatar version. Versions are never reused, so a key names one image forever. */
export const avatarBlobKey = (userId: string, version: string): string =>
  `avatars/${userId}/${version}`;

/** The blob of one server icon version (versions are never reused, as for avatars). */
export const iconBlobKey = (serverId: string, version: string): string =>
  `icons/${serverId}/${version}`;

/** The blob of one custom emoji (an emoji's image never changes: a new one gets a new id). */
export const emojiBlobKey = (serverId: string, emojiId: string): string =>
  `emojis/${serverId}/${emojiId}`;

/** Icons or emoji moved per query by the start-up move. */
export const IMAGE_MOVE_BATCH = AVATAR_MOVE_BATCH;

/** An image to serve: its bytes as a stream, read from the blob store as it is sent. */
export interface StoredImage {
  contentType: string;
  version: string;
  size: number;
  body: ReadableStream<Uint8Array>;
}

/** Stores `bytes` at `key` (a whole image, already checked against its own limit). */
export async function putImageBlob(
  blobs: BlobStore,
  key: string,
  bytes: Uint8Array,
  contentType: string,
): Promise<void> {
  await blobs.put(key, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(), {
    contentType,
    maxBytes: bytes.length,
  });
}

/** The image at `key` as a stream; null if there is none. */
export async function openImageBlob(
  blobs: BlobStore,
  key: string,
  meta: { contentType: string; version: string },
): Promise<StoredImage | null> {
  const read = await blobs.get(key);
  return read &&
    { contentType: meta.contentType, version: meta.version, size: read.size, body: read.body };
}

/** An image still held in the store (old format), served as a stream of its bytes. */
export function imageOfBytes(
  meta: { contentType: string; version: string },
  bytes: Uint8Array,
): StoredImage {
  return {
    contentType: meta.contentType,
    version: meta.version,
    size: bytes.length,
    body: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
  };
}

/** The whole blob at `key`, or null if there is none. */
export async function readImageBlob(blobs: BlobStore, key: string): Promise<Uint8Array | null> {
  const read = await blobs.get(key);
  return read && new Uint8Array(await new Response(read.body).arrayBuffer());
}

/** What a store gives the move for one avatar still in the old format. */
export interface UnmovedAvatar {
  userId: string;
  version: string;
  contentType: string;
  bytes: Uint8Array;
}

/**
 * Moves one old-format avatar: blob first, then `mark` flips the record to it (only if it still
 * names that version in the old format) and drops the old bytes. If the mark fails, someone
 * else moved or replaced it: the blob is deleted unless the record names it (another instance
 * moving the same avatar at the same time wrote the very same key).
 */
export function moveOneAvatar(
  blobs: BlobStore,
  avatar: UnmovedAvatar,
  mark: () => Promise<boolean>,
  namesBlob: () => Promise<boolean>,
): Promise<boolean> {
  const key = avatarBlobKey(avatar.userId, avatar.version);
  return moveOneImage(blobs, key, avatar, mark, namesBlob);
}

/** `moveOneAvatar` for any image: its bytes go to `key`, then `mark` flips its record. */
export async function moveOneImage(
  blobs: BlobStore,
  key: string,
  image: { contentType: string; bytes: Uint8Array },
  mark: () => Promise<boolean>,
  namesBlob: () => Promise<boolean>,
): Promise<boolean> {
  await putImageBlob(blobs, key, image.bytes, image.contentType);
  if (await mark()) return true;
  if (!(await namesBlob())) await blobs.delete(key);
  return false;
}
