/**
 * Blobs in Deno KV (`BLOB_STORE=kv`, the default on Deno Deploy, which has no file system).
 *
 * One KV value holds at most 64 KiB, so a blob is chunks of BLOB_KV_CHUNK_BYTES under
 * `["blob_chunks", id, n]`, written a few per commit as the body arrives, and a meta value
 * `["blob_meta", key]` → {id, size, contentType, chunks, storedAt} written last, in one commit:
 * until it lands, readers see the previous blob (or none). Each put writes under a new `id`, so
 * an overwrite never mixes with the chunks it replaces; those are removed after the meta flips
 * (a reader still streaming them then fails, rather than serving a mix of two files).
 */
import {
  BLOB_KV_CHUNK_BYTES,
  BLOB_KV_CHUNKS_PER_COMMIT,
  BLOB_LIST_PAGE,
} from "../../lib/limits.ts";
import {
  type BlobInfo,
  type BlobListing,
  type BlobRange,
  type BlobRead,
  type BlobStore,
  checkBlobKey,
  checkBlobPrefix,
  checkContentType,
  type PutOptions,
  resolveRange,
} from "../blob_store.ts";
import { whenUnlocked } from "../kv/commits.ts";
import { fixedChunks, PiecePool, streamOf } from "./body_chunks.ts";

interface BlobMeta {
  id: string;
  size: number;
  contentType: string;
  chunks: number;
  storedAt: number;
}

/** Chunk deletions per commit (KV allows 1000 mutations in one). */
const DELETES_PER_COMMIT = 200;
/** Bytes in key order above every key character (keys are ASCII below 0x7f). */
const PREFIX_END = "\x7f";

const metaKey = (key: string): Deno.KvKey => ["blob_meta", key];
const chunkKey = (id: string, n: number): Deno.KvKey => ["blob_chunks", id, n];

/** Opens a blob store on the KV database at `path` (the platform's own on Deno Deploy). */
export async function openKvBlobStore(path?: string): Promise<BlobStore> {
  return new KvBlobStore(await Deno.openKv(path));
}

class KvBlobStore implements BlobStore {
  readonly kind = "kv";

  constructor(private readonly kv: Deno.Kv) {}

  async put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): Promise<{ size: number }> {
    checkBlobKey(key);
    checkContentType(options.contentType);
    const id = crypto.randomUUID();
    let written = 0;
    let size = 0;
    let previous: BlobMeta | null;
    try {
      let batch: Uint8Array<ArrayBuffer>[] = [];
      const flush = async () => {
        const op = this.kv.atomic();
        batch.forEach((chunk, i) => op.set(chunkKey(id, written + i), chunk));
        await whenUnlocked(() => op.commit());
        written += batch.length;
        batch.forEach((chunk) => pool.give(chunk));
        batch = [];
      };
      const pool = new PiecePool(BLOB_KV_CHUNK_BYTES);
      for await (const chunk of fixedChunks(body, BLOB_KV_CHUNK_BYTES, options.maxBytes, pool)) {
        batch.push(chunk);
        size += chunk.byteLength;
        if (batch.length === BLOB_KV_CHUNKS_PER_COMMIT) await flush();
      }
      if (batch.length > 0) await flush();
      const meta: BlobMeta = {
        id,
        size,
        contentType: options.contentType,
        chunks: written,
        storedAt: Date.now(),
      };
      previous = await this.swapMeta(key, meta);
    } catch (error) {
      // Chunks of a batch whose commit failed were never written: removing them is harmless.
      await this.deleteChunks(id, written + BLOB_KV_CHUNKS_PER_COMMIT).catch(() => {});
      throw error;
    }
    if (previous) await this.deleteChunks(previous.id, previous.chunks);
    return { size };
  }

  async get(key: string, range?: BlobRange): Promise<BlobRead | null> {
    checkBlobKey(key);
    const meta = (await this.kv.get<BlobMeta>(metaKey(key))).value;
    if (!meta) return null;
    const resolved = range === undefined ? null : resolveRange(range, meta.size);
    const start = resolved?.start ?? 0;
    const end = resolved?.end ?? meta.size - 1;
    const body = streamOf(this.readChunks(meta, start, end));
    return { body, size: meta.size, contentType: meta.contentType, range: resolved };
  }

  async stat(key: string): Promise<BlobInfo | null> {
    checkBlobKey(key);
    const meta = (await this.kv.get<BlobMeta>(metaKey(key))).value;
    return meta && { size: meta.size, contentType: meta.contentType };
  }

  async delete(key: string): Promise<boolean> {
    checkBlobKey(key);
    const previous = await this.swapMeta(key, null);
    if (!previous) return false;
    await this.deleteChunks(previous.id, previous.chunks);
    return true;
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    checkBlobPrefix(prefix);
    const entries = this.kv.list<BlobMeta>(
      { start: metaKey(prefix), end: metaKey(prefix + PREFIX_END) },
      { batchSize: BLOB_LIST_PAGE },
    );
    for await (const entry of entries) {
      const key = entry.key[1] as string;
      yield { key, size: entry.value.size, storedAt: entry.value.storedAt };
    }
  }

  close(): Promise<void> {
    this.kv.close();
    return Promise.resolve();
  }

  /**
   * Sets (or, with null, deletes) the key's meta value in one checked commit; returns the meta
   * it replaced, whose chunks the caller removes. A concurrent change makes it read again.
   */
  private async swapMeta(key: string, meta: BlobMeta | null): Promise<BlobMeta | null> {
    while (true) {
      const current = await this.kv.get<BlobMeta>(metaKey(key));
      if (!current.value && !meta) return null;
      const op = this.kv.atomic().check(current);
      if (meta) op.set(metaKey(key), meta);
      else op.delete(metaKey(key));
      const result = await whenUnlocked(() => op.commit());
      if (result.ok) return current.value;
    }
  }

  /** Removes chunks 0‥count−1 of `id`, DELETES_PER_COMMIT per commit. */
  private async deleteChunks(id: string, count: number): Promise<void> {
    for (let from = 0; from < count; from += DELETES_PER_COMMIT) {
      const op = this.kv.atomic();
      for (let n = from; n < Math.min(count, from + DELETES_PER_COMMIT); n++) {
        op.delete(chunkKey(id, n));
      }
      await whenUnlocked(() => op.commit());
    }
  }

  /** Bytes start‥end (inclusive) of the blob, reading only the chunks that hold them. */
  private async *readChunks(
    meta: BlobMeta,
    start: number,
    end: number,
  ): AsyncGenerator<Uint8Array> {
    if (meta.size === 0) return;
    const first = Math.floor(start / BLOB_KV_CHUNK_BYTES);
    const last = Math.floor(end / BLOB_KV_CHUNK_BYTES);
    const entries = this.kv.list<Uint8Array>(
      { start: chunkKey(meta.id, first), end: chunkKey(meta.id, last + 1) },
      { batchSize: BLOB_KV_CHUNKS_PER_COMMIT },
    );
    let expected = first;
    for await (const entry of entries) {
      if (entry.key[2] !== expected) break;
      const offset = expected * BLOB_KV_CHUNK_BYTES;
      const from = Math.max(0, start - offset);
      const to = Math.min(entry.value.byteLength, end - offset + 1);
      yield entry.value.subarray(from, to);
      expected++;
    }
    if (expected !== last + 1) {
      throw new Error("The file was replaced or deleted while it was being read");
    }
  }
}
