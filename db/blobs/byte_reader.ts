/**
 * Reading a stream into buffers the reader owns and reuses: an upload then makes no garbage per
 * piece of its body (with ten uploads at once, the pieces' garbage was most of the server's
 * memory growth: bench/attachments.ts).
 */

/** What one ByteReader read gives back. */
export interface ByteRead<T extends Uint8Array> {
  /** The caller's buffer: the same memory, but a BYOB read detaches the array it was given. */
  buffer: T;
  /** The bytes read, or null at the end of the stream. */
  read: number | null;
}

/** Reads a stream into the caller's buffers (see byteReaderOf). */
export interface ByteReader {
  /** Fills `buffer` from `offset` on with what comes next (at least a byte, unless at the end). */
  readInto(
    buffer: Uint8Array<ArrayBuffer>,
    offset: number,
  ): Promise<ByteRead<Uint8Array<ArrayBuffer>>>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}

/**
 * A reader of `body` into buffers the caller keeps and reuses: a byte stream (a request body,
 * peek's stream) is read in place with a BYOB reader, so no array is made per piece; any other
 * stream has its pieces copied in.
 */
/** The smallest view a BYOB read is given (see readInto). */
const BYOB_MIN_READ = 4096;

export function byteReaderOf(body: ReadableStream<Uint8Array>): ByteReader {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream: read its pieces and copy them in (below).
  }
  if (byob) {
    const reader = byob;
    // Bytes read ahead into `scratch` for a short view, not handed over yet.
    let scratch = new Uint8Array(BYOB_MIN_READ);
    let ahead: Uint8Array | null = null;
    /** One BYOB read into `view` of `buffer`'s memory; that memory back as `buffer` was. */
    const readBack = async (buffer: Uint8Array<ArrayBuffer>, offset: number) => {
      // Taken first: the read detaches `buffer`, which then reads as empty.
      const { byteOffset, byteLength } = buffer;
      const { done, value } = await reader.read(
        new Uint8Array(buffer.buffer, byteOffset + offset, byteLength - offset),
      );
      // The memory comes back in `value`'s buffer (a cancelled stream gives none back).
      const back = value
        ? new Uint8Array(value.buffer as ArrayBuffer, byteOffset, byteLength)
        : new Uint8Array(byteLength);
      return { buffer: back, read: done ? null : value!.byteLength };
    };
    return {
      async readInto(buffer, offset) {
        const room = buffer.byteLength - offset;
        if (!ahead && room >= BYOB_MIN_READ) return await readBack(buffer, offset);
        if (!ahead) {
          // Deno (2.9) never answers a BYOB read of a few bytes at a request body's end, so a
          // short view is filled from a read of BYOB_MIN_READ into `scratch`.
          const { buffer: back, read } = await readBack(scratch, 0);
          scratch = back;
          if (read === null) return { buffer, read: null };
          ahead = scratch.subarray(0, read);
        }
        const take = Math.min(room, ahead.byteLength);
        buffer.set(ahead.subarray(0, take), offset);
        ahead = take < ahead.byteLength ? ahead.subarray(take) : null;
        return { buffer, read: take };
      },
      cancel: (reason) => reader.cancel(reason),
      releaseLock: () => reader.releaseLock(),
    };
  }
  const reader = body.getReader();
  let leftover: Uint8Array | null = null;
  return {
    async readInto(buffer, offset) {
      let piece = leftover;
      leftover = null;
      while (!piece || piece.byteLength === 0) {
        const { done, value } = await reader.read();
        if (done) return { buffer, read: null };
        piece = value;
      }
      const take = Math.min(piece.byteLength, buffer.byteLength - offset);
      buffer.set(piece.subarray(0, take), offset);
      if (take < piece.byteLength) leftover = piece.subarray(take);
      return { buffer, read: take };
    },
    cancel: (reason) => reader.cancel(reason),
    releaseLock: () => reader.releaseLock(),
  };
}
