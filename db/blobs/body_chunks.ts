/**
 * Reading the body of a put: in pieces of a fixed size (a KV value, a PostgreSQL row, an S3
 * part), whatever size the pieces arrive in, and never past the caller's cap.
 */
import { BlobTooLargeError } from "../blob_store.ts";
import { byteReaderOf } from "./byte_reader.ts";

/**
 * Arrays of one size to fill again: a blob store gives a piece back once it is stored, and
 * the next piece is read into it. At most PIECE_POOL_MAX are kept.
 */
export class PiecePool {
  #free: Uint8Array<ArrayBuffer>[] = [];
  /** Arrays made so far (the others were given back and filled again). */
  made = 0;

  constructor(readonly size: number) {}

  take(): Uint8Array<ArrayBuffer> {
    const free = this.#free.pop();
    if (free) return free;
    this.made++;
    return new Uint8Array(this.size);
  }

  /** `piece` (or a part of it) is not used by the caller any more. */
  give(piece: Uint8Array<ArrayBuffer>): void {
    if (piece.buffer.byteLength !== this.size || this.#free.length >= PIECE_POOL_MAX) return;
    this.#free.push(new Uint8Array(piece.buffer));
  }
}

/** Enough for a KV commit's pieces and the one being read (BLOB_KV_CHUNKS_PER_COMMIT + 1). */
const PIECE_POOL_MAX = 16;

/**
 * Yields `body` in pieces of exactly `size` bytes (the last one shorter; none for an empty
 * body), read straight into arrays of `pool` (a byte stream, as a request body, is read in
 * place: byte_reader.ts). A piece is the consumer's until it gives it back to the pool. Past
 * `maxBytes` it throws BlobTooLargeError and cancels the body, so a client sending too much is
 * not read further. However the loop ends (an error, the consumer stopping), the body is
 * released.
 */
export async function* fixedChunks(
  body: ReadableStream<Uint8Array>,
  size: number,
  maxBytes: number,
  pool: PiecePool = new PiecePool(size),
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const source = byteReaderOf(body);
  let finished = false;
  try {
    let total = 0;
    while (true) {
      let piece = pool.take();
      let filled = 0;
      while (filled < size) {
        const { buffer, read } = await source.readInto(piece, filled);
        piece = buffer;
        if (read === null) {
          finished = true;
          if (filled > 0) yield piece.subarray(0, filled);
          else pool.give(piece);
          return;
        }
        filled += read;
        total += read;
        if (total > maxBytes) throw new BlobTooLargeError(maxBytes);
      }
      yield piece;
    }
  } finally {
    // A body that errored rejects cancel too: there is nothing left to stop.
    if (!finished) await source.cancel().catch(() => {});
    source.releaseLock();
  }
}

/** A stream of `pieces`, pulled one at a time (so a slow reader holds one piece, not all). */
export function streamOf(
  pieces: AsyncIterator<Uint8Array>,
  onClose: () => Promise<void> | void = () => {},
): ReadableStream<Uint8Array> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await onClose();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await pieces.next();
        if (done) {
          await close();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        await close();
        controller.error(error);
      }
    },
    async cancel() {
      await pieces.return?.();
      await close();
    },
  }, { highWaterMark: 0 });
}

/**
 * Hands each of `pieces` to `write` in order while the next one is read: one write in flight
 * and one piece read ahead, so receiving the body and storing it overlap instead of taking
 * turns (at most two pieces held). Resolves with the bytes written once the last write has;
 * on an error (of a read or a write) waits for the write in flight before rethrowing it.
 */
export async function writeBehind(
  pieces: AsyncIterable<Uint8Array<ArrayBuffer>>,
  write: (piece: Uint8Array<ArrayBuffer>, index: number) => Promise<unknown>,
): Promise<number> {
  let pending: Promise<unknown> | null = null;
  let size = 0;
  let index = 0;
  try {
    for await (const piece of pieces) {
      if (pending) await pending;
      pending = write(piece, index++);
      // Handled now (a write failing while the next piece is read is no unhandled rejection);
      // the await above or below still throws its error.
      pending.catch(() => {});
      size += piece.byteLength;
    }
    if (pending) await pending;
    return size;
  } catch (error) {
    await pending?.catch(() => {});
    throw error;
  }
}

/**
 * Yields `body` in Blobs of exactly `size` bytes (the last one shorter; none for an empty body),
 * each made of the pieces the body arrived in. A Blob's bytes are held outside the JavaScript
 * heap and `fetch` sends one as it is, with its length (an S3 part), so a part waiting to be
 * sent costs its bytes once: no buffer of `size` is allocated and filled, nor copied again into
 * the request. Past `maxBytes` it throws BlobTooLargeError and cancels the body, as
 * `fixedChunks` does.
 */
export async function* blobParts(
  body: ReadableStream<Uint8Array>,
  size: number,
  maxBytes: number,
): AsyncGenerator<Blob> {
  const reader = body.getReader();
  let finished = false;
  try {
    let pieces: Blob[] = [];
    let filled = 0;
    let total = 0;
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new BlobTooLargeError(maxBytes);
      let offset = 0;
      while (offset < value.byteLength) {
        const take = Math.min(size - filled, value.byteLength - offset);
        pieces.push(new Blob([value.subarray(offset, offset + take) as Uint8Array<ArrayBuffer>]));
        filled += take;
        offset += take;
        if (filled === size) {
          yield new Blob(pieces);
          pieces = [];
          filled = 0;
        }
      }
    }
    finished = true;
    if (filled > 0) yield new Blob(pieces);
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
