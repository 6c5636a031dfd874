/** Reading the start of an upload without losing it, and reading a small one whole (images). */
import { PayloadTooLarge } from "../errors.ts";

/** What `peek` gives: the head, whether it is the whole body, and all of it as a stream. */
export interface Peeked {
  head: Uint8Array;
  complete: boolean;
  stream: ReadableStream<Uint8Array>;
}

/** The first `bytes` of a stream (fewer if it ends), and a stream of all of it from the start. */
export function peek(body: ReadableStream<Uint8Array>, bytes: number): Promise<Peeked> {
  return peekPieces(body, bytes);
}

async function peekPieces(body: ReadableStream<Uint8Array>, bytes: number): Promise<Peeked> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let complete = false;
  while (length < bytes) {
    const { value, done } = await reader.read();
    if (done) {
      complete = true;
      break;
    }
    chunks.push(value);
    length += value.length;
  }
  const head = concat(chunks, length);
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        first = false;
        if (head.length > 0) return controller.enqueue(head);
      }
      if (complete) return controller.close();
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head: head.subarray(0, bytes), complete, stream };
}

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
