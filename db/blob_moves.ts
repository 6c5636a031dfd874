/**
 * Avatars in the blob store (issue 16): the bytes live at `avatars/<userId>/<version>`, the
 * store's avatar record keeps only the metadata. Both stores share these helpers.
 *
 * Writing: the blob first, then the record (the version bump), then the replaced blob goes; a
 * crash in between leaves at most an unreferenced blob, never a record naming no bytes. The key
 * is outside the attachments' prefix, so the orphan sweeper (lib/attachments/orphan_sweeper.ts,
 * which lists `attachments/` only) never touches it.
 *
 * Avatars written before the move keep their bytes in the store ("old format") until
 * `moveAvatarsToBlobs` (run once in the background at start-up, lib/services.ts) copies them
 * over; until then they are read from the store as before.
 */
import type { BlobStore } from "./blob_store.ts";
import { AVATAR_MAX_BYTES } from "../lib/limits.ts";

/** How the store reaches the blob store: lazily, so a store that never reads an image opens none. */
export type BlobsOf = () => Promise<BlobStore>;

/** Avatars moved per query by the start-up move. */
export const AVATAR_MOVE_BATCH = 50;

/** The blob of one avatar version. Versions are never reused, so a key names one image forever. */
export const avatarBlobKey = (userId: string, version: string): string =>
  `avatars/${userId}/${version}`;

/** Stores `bytes` at `key` (a whole image: avatars are at most AVATAR_MAX_BYTES). */
export async function putImageBlob(
  blobs: BlobStore,
  key: string,
  bytes: Uint8Array,
  contentType: string,
): Promise<void> {
  await blobs.put(key, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(), {
    contentType,
    maxBytes: AVATAR_MAX_BYTES,
  });
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
export async function moveOneAvatar(
  blobs: BlobStore,
  avatar: UnmovedAvatar,
  mark: () => Promise<boolean>,
  namesBlob: () => Promise<boolean>,
): Promise<boolean> {
  const key = avatarBlobKey(avatar.userId, avatar.version);
  await putImageBlob(blobs, key, avatar.bytes, avatar.contentType);
  if (await mark()) return true;
  if (!(await namesBlob())) await blobs.delete(key);
  return false;
}
