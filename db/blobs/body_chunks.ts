/**
 * Reading the body of a put: in pieces of a fixed size (a KV value, a PostgreSQL row, an S3
 * part), whatever size the pieces arrive in, and never past the caller's cap.
 */
import { BlobTooLargeError } from "../blob_store.ts";

/**
 * Yields `body` in pieces of exactly `size` bytes (the last one shorter; none for an empty
 * body), each a new array the consumer may keep. Past `maxBytes` it throws BlobTooLargeError
 * and cancels the body, so a client sending too much is not read further. However the loop
 * ends (an error, the consumer stopping), the body is released.
 */
export async function* fixedChunks(
  body: ReadableStream<Uint8Array>,
  size: number,
  maxBytes: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  let finished = false;
  try {
    let buffer = new Uint8Array(size);
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
        buffer.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === size) {
          yield buffer;
          buffer = new Uint8Array(size);
          filled = 0;
        }
      }
    }
    finished = true;
    if (filled > 0) yield buffer.subarray(0, filled);
  } finally {
    // A body that errored rejects cancel too: there is nothing left to stop.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
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
