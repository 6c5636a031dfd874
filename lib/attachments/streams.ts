/** Reading the start of an upload without losing it, and reading a small one whole (images). */
import { byteReaderOf } from "../../db/blobs/byte_reader.ts";
import { PayloadTooLarge } from "../errors.ts";

/** What `peek` gives: the head, whether it is the whole body, and all of it as a stream. */
export interface Peeked {
  head: Uint8Array;
  complete: boolean;
  stream: ReadableStream<Uint8Array>;
}

/**
 * The first `bytes` of a stream (fewer if it ends), and a stream of all of it from the start.
 *
 * The stream given back is a byte stream: a reader that brings its own buffer (the blob
 * stores, db/blobs/body_chunks.ts) has the body read into that buffer through one reused
 * buffer of this function's, so an upload makes no garbage per piece; a plain reader gets a
 * new array per piece, as from the body itself.
 */
export async function peek(body: ReadableStream<Uint8Array>, bytes: number): Promise<Peeked> {
  const source = byteReaderOf(body);
  let head = new Uint8Array(bytes);
  let length = 0;
  let complete = false;
  while (length < bytes) {
    const { buffer, read } = await source.readInto(head, length);
    head = buffer;
    if (read === null) {
      complete = true;
      break;
    }
    length += read;
  }
  let pendingHead: Uint8Array | null = length > 0 ? head.subarray(0, length) : null;
  let spare = new Uint8Array(PEEK_PASS_BYTES);
  const passOn: UnderlyingByteSource = {
    type: "bytes",
    async pull(controller: ReadableByteStreamController) {
      if (pendingHead) {
        controller.enqueue(pendingHead.slice());
        pendingHead = null;
        return;
      }
      // Taken before the read: after close() the controller no longer lists it.
      const request = controller.byobRequest;
      const view = request?.view;
      let read: number | null = null;
      if (!complete) {
        const into = view ? spare.subarray(0, Math.min(spare.length, view.byteLength)) : spare;
        ({ buffer: spare, read } = await source.readInto(into, 0));
        spare = new Uint8Array(spare.buffer);
      }
      if (read === null) {
        complete = true;
        controller.close();
        request?.respond(0);
      } else if (view) {
        new Uint8Array(view.buffer, view.byteOffset, read).set(spare.subarray(0, read));
        request!.respond(read);
      } else {
        controller.enqueue(spare.slice(0, read));
      }
    },
    cancel(reason) {
      return source.cancel(reason);
    },
  };
  const stream: ReadableStream<Uint8Array> = new ReadableStream(passOn);
  return { head: head.subarray(0, length), complete, stream };
}

/** What peek passes on per read at most: Deno hands a request body over in up to 256 KiB. */
const PEEK_PASS_BYTES = 256 * 1024;

/** The whole stream, or PayloadTooLarge (the stream cancelled) once it passes `maxBytes`. */
export async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error = () => new PayloadTooLarge(maxBytes),
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concat(chunks, length);
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A stream of one buffer. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
