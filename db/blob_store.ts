/**
 * Blob storage: the bytes of uploaded files (attachments, issue 16), kept apart from the
 * records that name them. Four backends implement it (db/blobs/): the local file system,
 * PostgreSQL, Deno KV and any S3-compatible object store; db/blobs/open_blob_store.ts picks one
 * by `BLOB_STORE`.
 *
 * Bytes stream in and out: no backend holds a whole file in memory, only a piece of it
 * (BLOB_CHUNK_BYTES; an S3 part, BLOB_S3_PART_BYTES). A put is all or nothing: until it
 * completes, readers see the previous object (or none), and a put that fails (too large, a
 * body that errors) leaves the key as it was.
 */
import {
  BLOB_CONTENT_TYPE_MAX_LENGTH,
  BLOB_KEY_MAX_LENGTH,
  BLOB_KEY_SEGMENT_MAX_LENGTH,
} from "../lib/limits.ts";

/** Which bytes of a blob to read: `start`–`end` inclusive (as in HTTP), or the last `suffix`. */
export type BlobRange = { start: number; end?: number } | { suffix: number };

/** A blob's size in bytes and the content type it was stored with. */
export interface BlobInfo {
  size: number;
  contentType: string;
}

/** What `get` returns: the bytes asked for, and the whole blob's size. */
export interface BlobRead extends BlobInfo {
  /** The bytes of `range` (all of them without a range). Cancel it to stop reading early. */
  body: ReadableStream<Uint8Array>;
  /** The bytes `body` holds, inclusive, once a range was resolved; null without a range. */
  range: { start: number; end: number } | null;
}

/** One blob as listed by `list`. */
export interface BlobListing {
  key: string;
  size: number;
  /** When the blob was written (ms since the epoch): orphan sweeps remove old ones. */
  storedAt: number;
}

export interface PutOptions {
  contentType: string;
  /** More bytes than this: the put fails with BlobTooLargeError and stores nothing. */
  maxBytes: number;
  /**
   * The body's exact length when it is known (an upload's Content-Length), for a key nothing
   * was stored at (an attachment's): S3 then sends the body on as it arrives instead of a part
   * at a time; a body of another length fails the put, and a failed put removes the key. The
   * other stores do not need it.
   */
  length?: number;
}

export interface BlobStore {
  /** Which backend this is (logs, benchmarks). */
  readonly kind: "fs" | "kv" | "postgres" | "s3";
  /**
   * Streams `body` into `key`, replacing what was there once the whole body arrived. Throws
   * BlobTooLargeError past `maxBytes` (the body is cancelled), or the body's own error.
   */
  put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): Promise<{ size: number }>;
  /** The blob's bytes (or a range of them); null if there is none. Throws BlobRangeError. */
  get(key: string, range?: BlobRange): Promise<BlobRead | null>;
  stat(key: string): Promise<BlobInfo | null>;
  /** Removes the blob; false if there was none. */
  delete(key: string): Promise<boolean>;
  /**
   * Every blob whose key starts with `prefix`, read a page at a time (orphan sweeps): in byte
   * order of the keys on fs, KV, PostgreSQL and AWS S3; some S3-compatible servers differ.
   */
  list(prefix: string): AsyncIterable<BlobListing>;
  close(): Promise<void>;
}

/** The body of a put went past its `maxBytes`. Nothing was stored. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
    this.name = "BlobTooLargeError";
  }
}

/** A range that selects no byte of the blob (HTTP 416, with `Content-Range: bytes *\/size`). */
export class BlobRangeError extends Error {
  constructor(readonly size: number) {
    super(`The range selects no byte of this ${size}-byte file.`);
    this.name = "BlobRangeError";
  }
}

/** A key or content type the store refuses (a programming error: keys are made by the app). */
export class BlobKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlobKeyError";
  }
}

const KEY_PATTERN = /^[A-Za-z0-9/_.-]+$/;

/**
 * Throws BlobKeyError unless `key` is `[A-Za-z0-9/_.-]`, at most BLOB_KEY_MAX_LENGTH long, of
 * `/`-separated segments none empty, `.`, `..` or longer than BLOB_KEY_SEGMENT_MAX_LENGTH: on
 * the file system a key is a path below the root, and no key may climb out of it.
 */
export function checkBlobKey(key: string): void {
  if (
    typeof key !== "string" || key.length === 0 || key.length > BLOB_KEY_MAX_LENGTH ||
    !KEY_PATTERN.test(key) ||
    key.split("/").some((segment) =>
      segment === "" || segment === "." || segment === ".." ||
      segment.length > BLOB_KEY_SEGMENT_MAX_LENGTH
    )
  ) {
    throw new BlobKeyError(
      `Invalid blob key: it must be 1–${BLOB_KEY_MAX_LENGTH} of [A-Za-z0-9/_.-] in segments of at most ${BLOB_KEY_SEGMENT_MAX_LENGTH} that are not empty, "." or "..": got ${
        JSON.stringify(String(key).slice(0, 80))
      }`,
    );
  }
}

/** A list prefix: "" or the start of a valid key (it may end with "/"). */
export function checkBlobPrefix(prefix: string): void {
  if (prefix === "") return;
  checkBlobKey(prefix.endsWith("/") ? `${prefix}x` : prefix);
}

/** Throws BlobKeyError for a content type that could not be a header value. */
export function checkContentType(contentType: string): void {
  if (
    typeof contentType !== "string" || contentType.length === 0 ||
    contentType.length > BLOB_CONTENT_TYPE_MAX_LENGTH ||
    !/^[\x21-\x7e][\x20-\x7e]*$/.test(contentType)
  ) {
    throw new BlobKeyError(
      `Invalid content type: it must be 1–${BLOB_CONTENT_TYPE_MAX_LENGTH} printable ASCII characters: got ${
        JSON.stringify(String(contentType).slice(0, 80))
      }`,
    );
  }
}

/**
 * The inclusive byte range `range` selects in a blob of `size` bytes, by HTTP's rules: an `end`
 * past the last byte is cut to it, a suffix longer than the blob is the whole blob. Throws
 * BlobRangeError when no byte is selected (a start at or past the end, an empty blob, a zero
 * suffix) or the range is malformed.
 */
export function resolveRange(range: BlobRange, size: number): { start: number; end: number } {
  if ("suffix" in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix <= 0 || size === 0) {
      throw new BlobRangeError(size);
    }
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) || start < 0 || start >= size ||
    (end !== undefined && (!Number.isSafeInteger(end) || end < start))
  ) {
    throw new BlobRangeError(size);
  }
  return { start, end: end === undefined ? size - 1 : Math.min(end, size - 1) };
}
