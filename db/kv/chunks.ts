/**
 * Images on Deno KV as written before the blob store (avatars, server icons, custom emoji: now
 * in the blob store, db/blob_moves.ts, moved there at start-up): one KV value holds at most
 * 64 KiB, so the bytes go in chunks under `[...prefix, version, i]` and a small meta value
 * names the version to read.
 * Chunks of a new version are written first and the meta value flips to them in one commit, so
 * a reader sees the old image or the new one, never a mix.
 */
import type { BlobsOf } from "../blob_moves.ts";
import { whenUnlocked } from "./commits.ts";

/** Below KV's 64 KiB value limit, with room for the key. */
const CHUNK_BYTES = 60 * 1024;

/** What the meta value of an image says. */
export interface ChunkedMeta {
  contentType: string;
  version: string;
  chunks: number;
  size: number;
  /** True once the bytes are in the blob store (db/blob_moves.ts): then there are no chunks. */
  inBlob?: boolean;
}

/** Writes the chunks of a new version; returns the meta value that points to them. */
export async function writeChunks(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  image: { contentType: string; version: string; bytes: Uint8Array },
): Promise<ChunkedMeta> {
  const chunks = Math.ceil(image.bytes.length / CHUNK_BYTES);
  for (let i = 0; i < chunks; i++) {
    const chunk = image.bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
    await whenUnlocked(() => kv.set([...prefix, image.version, i], chunk));
  }
  return {
    contentType: image.contentType,
    version: image.version,
    chunks,
    size: image.bytes.length,
  };
}

/** The bytes `meta` names, or null if a concurrent upload deleted them after `meta` was read. */
export async function readChunks(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  meta: ChunkedMeta,
): Promise<Uint8Array | null> {
  const bytes = new Uint8Array(meta.size);
  let offset = 0;
  for await (const entry of kv.list<Uint8Array>({ prefix: [...prefix, meta.version] })) {
    bytes.set(entry.value, offset);
    offset += entry.value.length;
  }
  return offset === meta.size ? bytes : null;
}

/** Deletes the chunks of one version (or, without one, of every version). */
export async function deleteChunks(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  version?: string,
): Promise<void> {
  const under = version === undefined ? prefix : [...prefix, version];
  for await (const entry of kv.list({ prefix: under })) {
    await whenUnlocked(() => kv.delete(entry.key));
  }
}

/**
 * Removes the bytes an image's meta named, once no meta names them: its chunks of that version
 * under `prefix`, or its blob at `blobKey` (`inBlob`: the store has a blob store then).
 */
export async function dropImageBytes(
  kv: Deno.Kv,
  blobs: BlobsOf | null,
  prefix: Deno.KvKey,
  blobKey: string,
  meta: ChunkedMeta,
): Promise<void> {
  if (!meta.inBlob) return await deleteChunks(kv, prefix, meta.version);
  await (await blobs!()).delete(blobKey);
}
