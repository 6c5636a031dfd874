/**
 * Reading upload bodies (db/blobs/body_chunks.ts, lib/attachments/streams.ts) from real HTTP
 * request bodies and from plain streams:
 * exact pieces, every byte in order, the cap, and writes overlapping the reads.
 */
import assert from "node:assert/strict";
import { blobParts, fixedChunks, PiecePool, writeBehind } from "../db/blobs/body_chunks.ts";
import { BlobTooLargeError } from "../db/blob_store.ts";
import { peek } from "../lib/attachments/streams.ts";

const PIECE = 256 * 1024;

function pattern(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 11)) % 251;
  return bytes;
}

/** Serves one request with `handle` (its body as the server got it) and sends `bytes` to it. */
async function overHttp<T>(
  bytes: Uint8Array<ArrayBuffer>,
  handle: (body: ReadableStream<Uint8Array>) => Promise<T>,
  sent: "chunked" | "with its length" = "chunked",
): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    try {
      result = { value: await handle(req.body!) };
    } catch (error) {
      result = { error };
      await req.body?.cancel().catch(() => {});
    }
    return new Response("done");
  });
  try {
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
      method: "POST",
      // A picked file goes with its length (Deno's body is then a byte stream, read in place).
      body: sent === "chunked" ? new Blob([bytes]).stream() : bytes,
    });
    await response.text();
  } finally {
    await server.shutdown();
  }
  if (result && "error" in result) throw result.error;
  return result!.value;
}

/** Every piece copied out, and their sizes. */
async function collect(pieces: AsyncIterable<Uint8Array>) {
  const sizes: number[] = [];
  const kept: Uint8Array[] = [];
  for await (const piece of pieces) {
    sizes.push(piece.byteLength);
    kept.push(piece.slice());
  }
  const all = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const piece of kept) {
    all.set(piece, at);
    at += piece.byteLength;
  }
  return { sizes, all };
}

const SIZES = [0, 100, 4096, 4097, PIECE - 3, PIECE - 1, PIECE, 3 * PIECE + 4321, 8 * PIECE];
for (const sent of ["chunked", "with its length"] as const) {
  for (const size of SIZES) {
    Deno.test(`peek + fixedChunks over HTTP, ${sent}: ${size} bytes in exact pieces`, async () => {
      const bytes = pattern(size);
      const { head, complete, pieces } = await overHttp(bytes, async (body) => {
        const peeked = await peek(body, 4096);
        const pieces = await collect(fixedChunks(peeked.stream, PIECE, size));
        return { head: peeked.head.slice(), complete: peeked.complete, pieces };
      }, sent);
      assert.deepEqual(head, bytes.subarray(0, Math.min(size, 4096)));
      assert.equal(complete, size < 4096);
      assert.deepEqual(pieces.all, bytes);
      const full = Math.floor(size / PIECE);
      const expected = Array(full).fill(PIECE);
      if (size % PIECE > 0) expected.push(size % PIECE);
      assert.deepEqual(pieces.sizes, expected);
    });
  }
}

Deno.test("fixedChunks: pieces given back are filled again (two arrays for a long body)", async () => {
  const bytes = pattern(8 * PIECE + 5);
  const pool = new PiecePool(PIECE);
  const size = await overHttp(bytes, async (body) => {
    const { stream } = await peek(body, 4096);
    const seen: Uint8Array[] = [];
    const size = await writeBehind(fixedChunks(stream, PIECE, bytes.length, pool), (piece) => {
      seen.push(piece.slice());
      pool.give(piece);
      return Promise.resolve();
    });
    assert.deepEqual(await new Blob(seen as Uint8Array<ArrayBuffer>[]).bytes(), bytes);
    return size;
  }, "with its length");
  assert.equal(size, bytes.length);
  assert.ok(pool.made <= 2, `${pool.made} arrays made for 9 pieces`);
});

Deno.test("fixedChunks over HTTP: one byte past the cap is refused", async () => {
  const bytes = pattern(2 * PIECE + 1);
  await assert.rejects(
    () =>
      overHttp(bytes, async (body) => {
        const { stream } = await peek(body, 4096);
        return await collect(fixedChunks(stream, PIECE, 2 * PIECE));
      }),
    BlobTooLargeError,
  );
});

Deno.test("peek of a plain stream: the head, then every byte (a default reader)", async () => {
  const bytes = pattern(3 * PIECE + 17);
  const { head, stream } = await peek(new Blob([bytes]).stream(), 4096);
  assert.deepEqual(head, bytes.subarray(0, 4096));
  assert.deepEqual(new Uint8Array(await new Response(stream).arrayBuffer()), bytes);
});

Deno.test("writeBehind: writes in order, one in flight; a failed write fails it", async () => {
  const bytes = pattern(5 * PIECE);
  const written: number[] = [];
  let inFlight = 0;
  const size = await writeBehind(
    fixedChunks(new Blob([bytes]).stream(), PIECE, bytes.length),
    async (piece, index) => {
      inFlight++;
      assert.equal(inFlight, 1);
      await new Promise((resolve) => setTimeout(resolve, 1));
      written.push(index);
      assert.deepEqual(piece, bytes.subarray(index * PIECE, (index + 1) * PIECE));
      inFlight--;
    },
  );
  assert.equal(size, bytes.length);
  assert.deepEqual(written, [0, 1, 2, 3, 4]);
  await assert.rejects(
    () =>
      writeBehind(fixedChunks(new Blob([bytes]).stream(), PIECE, bytes.length), (_, index) => {
        if (index === 1) return Promise.reject(new Error("disk full"));
        return Promise.resolve();
      }),
    /disk full/,
  );
});

Deno.test("blobParts: parts of exactly the size, the last shorter, every byte", async () => {
  const bytes = pattern(2 * PIECE + 999);
  const parts: Blob[] = [];
  for await (const part of blobParts(new Blob([bytes]).stream(), PIECE, bytes.length)) {
    parts.push(part);
  }
  assert.deepEqual(parts.map((part) => part.size), [PIECE, PIECE, 999]);
  assert.deepEqual(new Uint8Array(await new Blob(parts).arrayBuffer()), bytes);
  await assert.rejects(async () => {
    for await (const _ of blobParts(new Blob([bytes]).stream(), PIECE, bytes.length - 1)) {
      // drained
    }
  }, BlobTooLargeError);
});
