/**
 * Blobs in PostgreSQL (`BLOB_STORE=postgres`, the default with `DATABASE_URL`): the tables of
 * db/migrations/011_blobs.sql. A put copies rows of BLOB_CHUNK_BYTES under a new blob_id in as the
 * body arrives (postgres_chunk_copy.ts), inside one transaction that ends by pointing the key's `blobs` row at them and
 * removing the rows it replaced: a failed put rolls back and leaves nothing. Reads fetch a few
 * rows per query, only those a range needs, so a slow download holds no connection between
 * them. (A reader still streaming rows an overwrite removed fails, rather than mixing files.)
 *
 * It has a small pool of its own, so long uploads never take the connections chat needs.
 */
import type { Sql } from "postgres";
import { BLOB_CHUNK_BYTES, BLOB_LIST_PAGE } from "../../lib/limits.ts";
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
import { connectMigrated } from "../postgres/connect.ts";
import { fixedChunks, PiecePool, streamOf, writeBehind } from "./body_chunks.ts";
import { ChunkCopy } from "./postgres_chunk_copy.ts";
import { transaction } from "../postgres/transaction.ts";

/** Rows fetched per read query (1 MiB): few round trips, little memory. */
const CHUNKS_PER_READ = 4;
/** Bytes in key order above every key character (keys are ASCII below 0x7f). */
const PREFIX_END = "\x7f";

export interface PostgresBlobStoreOptions {
  /** A schema to create and use instead of `public` (tests give each run its own). */
  schema?: string;
  /** Connection pool size: uploads in progress at once, each holding one. */
  max?: number;
}

/** Connects, applies pending migrations (011_blobs among them) and returns the store. */
export async function openPostgresBlobStore(
  url: string,
  options: PostgresBlobStoreOptions = {},
): Promise<BlobStore> {
  const sql = await connectMigrated(url, { schema: options.schema, max: options.max ?? 4 });
  return new PostgresBlobStore(sql);
}

interface BlobRow {
  blob_id: string;
  size: string;
  content_type: string;
}

class PostgresBlobStore implements BlobStore {
  readonly kind = "postgres";

  constructor(private readonly sql: Sql) {}

  async put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): Promise<{ size: number }> {
    checkBlobKey(key);
    checkContentType(options.contentType);
    const blobId = crypto.randomUUID();
    try {
      return await transaction(this.sql, async (tx) => {
        // Each row is sent while the next piece is received (db/blobs/body_chunks.ts).
        const pool = new PiecePool(BLOB_CHUNK_BYTES);
        const copy = await ChunkCopy.open(tx, blobId);
        let size: number;
        try {
          size = await writeBehind(
            fixedChunks(body, BLOB_CHUNK_BYTES, options.maxBytes, pool),
            async (chunk) => {
              await copy.add(chunk);
              pool.give(chunk);
            },
          );
          await copy.finish();
        } catch (error) {
          copy.abort(error);
          throw error;
        }
        await pointKeyAt(tx, key, blobId, size, options.contentType);
        return { size };
      });
    } catch (error) {
      // The transaction rolled back; make sure the body is not left half read either.
      await body.cancel().catch(() => {});
      throw error;
    }
  }

  async get(key: string, range?: BlobRange): Promise<BlobRead | null> {
    checkBlobKey(key);
    const row = await this.row(key);
    if (!row) return null;
    const size = Number(row.size);
    const resolved = range === undefined ? null : resolveRange(range, size);
    const start = resolved?.start ?? 0;
    const end = resolved?.end ?? size - 1;
    const body = streamOf(this.readChunks(row.blob_id, start, end, size));
    return { body, size, contentType: row.content_type, range: resolved };
  }

  async stat(key: string): Promise<BlobInfo | null> {
    checkBlobKey(key);
    const row = await this.row(key);
    return row && { size: Number(row.size), contentType: row.content_type };
  }

  async delete(key: string): Promise<boolean> {
    checkBlobKey(key);
    return await transaction(this.sql, async (tx) => {
      const [row] = await tx<{ blob_id: string }[]>`
        DELETE FROM blobs WHERE key = ${key} RETURNING blob_id`;
      if (!row) return false;
      await tx`DELETE FROM blob_chunks WHERE blob_id = ${row.blob_id}`;
      return true;
    });
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    checkBlobPrefix(prefix);
    let after = "";
    while (true) {
      // Keyset pages in byte order (COLLATE "C"), the order KV and S3 list in too.
      const rows = await this.sql<{ key: string; size: string; created_at: Date }[]>`
        SELECT key, size, created_at FROM blobs
        WHERE key COLLATE "C" >= ${prefix} AND key COLLATE "C" < ${prefix + PREFIX_END}
          AND key COLLATE "C" > ${after}
        ORDER BY key COLLATE "C" LIMIT ${BLOB_LIST_PAGE}`;
      for (const row of rows) {
        yield { key: row.key, size: Number(row.size), storedAt: row.created_at.getTime() };
      }
      if (rows.length < BLOB_LIST_PAGE) return;
      after = rows[rows.length - 1].key;
    }
  }

  async close(): Promise<void> {
    await this.sql.end();
  }

  private async row(key: string): Promise<BlobRow | null> {
    const [row] = await this.sql<BlobRow[]>`
      SELECT blob_id, size, content_type FROM blobs WHERE key = ${key}`;
    return row ?? null;
  }

  /** Bytes start‥end (inclusive), CHUNKS_PER_READ rows per query, only the rows that hold them. */
  private async *readChunks(
    blobId: string,
    start: number,
    end: number,
    size: number,
  ): AsyncGenerator<Uint8Array> {
    if (size === 0) return;
    const first = Math.floor(start / BLOB_CHUNK_BYTES);
    const last = Math.floor(end / BLOB_CHUNK_BYTES);
    for (let from = first; from <= last; from += CHUNKS_PER_READ) {
      const to = Math.min(last, from + CHUNKS_PER_READ - 1);
      const rows = await this.sql<{ n: number; bytes: Uint8Array }[]>`
        SELECT n, bytes FROM blob_chunks
        WHERE blob_id = ${blobId} AND n BETWEEN ${from} AND ${to} ORDER BY n`;
      if (rows.length !== to - from + 1) {
        throw new Error("The file was replaced or deleted while it was being read");
      }
      for (const { n, bytes } of rows) {
        const offset = n * BLOB_CHUNK_BYTES;
        yield bytes.subarray(
          Math.max(0, start - offset),
          Math.min(bytes.byteLength, end - offset + 1),
        );
      }
    }
  }
}

/**
 * Points `key` at the chunks of `blobId`, removing the chunks it pointed at before. The insert
 * waits for a concurrent put of the same key to commit; the row lock then orders the two, so
 * neither one's chunks are left behind.
 */
async function pointKeyAt(
  tx: Sql,
  key: string,
  blobId: string,
  size: number,
  contentType: string,
): Promise<void> {
  while (true) {
    const inserted = await tx`
      INSERT INTO blobs (key, blob_id, size, content_type)
      VALUES (${key}, ${blobId}, ${size}, ${contentType})
      ON CONFLICT (key) DO NOTHING RETURNING key`;
    if (inserted.length > 0) return;
    const [old] = await tx<{ blob_id: string }[]>`
      SELECT blob_id FROM blobs WHERE key = ${key} FOR UPDATE`;
    if (!old) continue; // deleted in between: insert after all
    await tx`UPDATE blobs SET blob_id = ${blobId}, size = ${size}, content_type = ${contentType},
      created_at = now() WHERE key = ${key}`;
    await tx`DELETE FROM blob_chunks WHERE blob_id = ${old.blob_id}`;
    return;
  }
}
