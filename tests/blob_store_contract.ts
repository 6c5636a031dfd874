/**
 * What every BlobStore must do (db/blob_store.ts), run against each real backend by
 * tests/blob_store_test.ts: the file system, Deno KV, PostgreSQL and an S3 server.
 */
import assert from "node:assert/strict";
import {
  BlobKeyError,
  BlobRangeError,
  type BlobRead,
  type BlobStore,
  BlobTooLargeError,
} from "../db/blob_store.ts";
import {
  BLOB_CHUNK_BYTES,
  BLOB_KEY_MAX_LENGTH,
  BLOB_KEY_SEGMENT_MAX_LENGTH,
  BLOB_S3_PART_BYTES,
} from "../lib/limits.ts";

/** A store opened for one test, and how to throw it away. */
export interface OpenedBlobStore {
  store: BlobStore;
  /**
   * Pieces of failed or replaced puts still held by the backend (temporary files, chunks no
   * blob names); undefined where the backend cannot tell (s3rver cannot list uploads).
   */
  leftovers?(): Promise<number>;
  dispose(): Promise<void>;
}

export interface BlobBackend {
  name: "fs" | "kv" | "postgres" | "s3";
  /** Deno.test options: ignored (and so failing CI) when the backend is not reachable. */
  options: { ignore: boolean };
  open(): Promise<OpenedBlobStore>;
}

const MiB = 1024 * 1024;

/** `size` pseudo-random bytes (crypto.getRandomValues takes at most 64 KiB per call). */
export function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  }
  return bytes;
}

/** A stream of `bytes` in pieces of `piece` bytes; `read()` tells how many were pulled. */
function streamOfBytes(bytes: Uint8Array, piece = 64 * 1024) {
  let offset = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + piece));
      offset += piece;
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, read: () => Math.min(offset, bytes.length), cancelled: () => cancelled };
}

/** A body that sends `before` bytes and then fails. */
function failingStream(before: number, error: Error): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= before) return controller.error(error);
      const piece = Math.min(32 * 1024, before - sent);
      controller.enqueue(randomBytes(piece));
      sent += piece;
    },
  }, { highWaterMark: 0 });
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function bytesOf(read: BlobRead | null): Promise<Uint8Array<ArrayBuffer>> {
  assert.ok(read, "the blob exists");
  return new Uint8Array(await new Response(read.body).arrayBuffer());
}

async function keysOf(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const listing of store.list(prefix)) keys.push(listing.key);
  return keys;
}

async function put(store: BlobStore, key: string, bytes: Uint8Array, type = "text/plain") {
  return await store.put(key, streamOfBytes(bytes).stream, {
    contentType: type,
    maxBytes: 100 * MiB,
  });
}

async function assertNoLeftovers(opened: OpenedBlobStore): Promise<void> {
  if (opened.leftovers) assert.equal(await opened.leftovers(), 0, "no pieces left behind");
}

/** Registers every contract test for `backend`. */
export function blobStoreContract(backend: BlobBackend): void {
  const test = (name: string, fn: (opened: OpenedBlobStore) => Promise<void>) =>
    Deno.test(`blob store (${backend.name}) - ${name}`, backend.options, async () => {
      const opened = await backend.open();
      try {
        await fn(opened);
      } finally {
        await opened.dispose();
      }
    });

  test("put, get, stat and delete", async ({ store }) => {
    const bytes = new TextEncoder().encode("hello, blob");
    assert.deepEqual(await put(store, "att/1/hello.txt", bytes), { size: bytes.length });
    assert.deepEqual(await store.stat("att/1/hello.txt"), {
      size: bytes.length,
      contentType: "text/plain",
    });
    const read = await store.get("att/1/hello.txt");
    assert.equal(read?.size, bytes.length);
    assert.equal(read?.contentType, "text/plain");
    assert.equal(read?.range, null);
    assert.deepEqual(await bytesOf(read), bytes);
    assert.equal(await store.delete("att/1/hello.txt"), true);
    assert.equal(await store.delete("att/1/hello.txt"), false);
    assert.equal(await store.get("att/1/hello.txt"), null);
    assert.equal(await store.stat("att/1/hello.txt"), null);
    assert.equal(await store.get("never/written"), null);
  });

  test("an empty file", async ({ store }) => {
    assert.deepEqual(await put(store, "empty", new Uint8Array(0), "application/x-empty"), {
      size: 0,
    });
    assert.deepEqual(await store.stat("empty"), { size: 0, contentType: "application/x-empty" });
    assert.deepEqual(await bytesOf(await store.get("empty")), new Uint8Array(0));
    await assert.rejects(store.get("empty", { start: 0 }), BlobRangeError);
    await assert.rejects(store.get("empty", { suffix: 1 }), BlobRangeError);
  });

  test("a 5 MiB file streamed in 7 KiB pieces comes back byte for byte", async (opened) => {
    const { store } = opened;
    // Past one S3 part, so S3 takes its multipart path; many chunks elsewhere.
    const bytes = randomBytes(BLOB_S3_PART_BYTES + 12_345);
    const body = streamOfBytes(bytes, 7 * 1024);
    const result = await store.put("big/file.bin", body.stream, {
      contentType: "application/octet-stream",
      maxBytes: 10 * MiB,
    });
    assert.equal(result.size, bytes.length);
    const read = await store.get("big/file.bin");
    assert.equal(read?.size, bytes.length);
    let largest = 0;
    const pieces: Uint8Array[] = [];
    for await (const piece of read!.body) {
      largest = Math.max(largest, piece.byteLength);
      pieces.push(piece);
    }
    const back = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.byteLength, 0));
    pieces.reduce((at, piece) => (back.set(piece, at), at + piece.byteLength), 0);
    assert.equal(await sha256(back), await sha256(bytes));
    // The file system, KV and PostgreSQL hand it out a chunk at a time (S3 as fetch reads it).
    if (backend.name !== "s3") assert.ok(largest <= BLOB_CHUNK_BYTES, `piece of ${largest}`);
    await assertNoLeftovers(opened);
  });

  test("puts of a known length (one part and several) come back byte for byte", async (opened) => {
    const { store } = opened;
    // S3 sends each as one PutObject, as the bytes arrive (past 5 GiB: parts, as without one).
    for (const size of [0, 70_001, 2 * BLOB_S3_PART_BYTES + 3_333]) {
      const bytes = randomBytes(size);
      const key = `sized/${size}`;
      const result = await store.put(key, streamOfBytes(bytes, 7 * 1024).stream, {
        contentType: "application/octet-stream",
        maxBytes: 20 * MiB,
        length: size,
      });
      assert.equal(result.size, size);
      assert.equal(await sha256(await bytesOf(await store.get(key))), await sha256(bytes));
    }
    await assertNoLeftovers(opened);
  });

  test("a put of a known length fails when the body is shorter, longer or errors", async (opened) => {
    const { store } = opened;
    const put = (key: string, body: ReadableStream<Uint8Array>, length: number) =>
      store.put(key, body, { contentType: "video/mp4", maxBytes: 20 * MiB, length });
    const part = BLOB_S3_PART_BYTES;
    // S3 is the store that relies on the length: it fails every one of these; the others store
    // what came (nothing here checks them against a length they do not use) or fail.
    const uneven = [[1000, 2000], [3000, 2000], [part + 10, part + 20], [2 * part + 5, part + 5]];
    for (const [size, length] of uneven) {
      const key = `uneven/${size}-${length}`;
      const outcome = await put(key, streamOfBytes(randomBytes(size)).stream, length).then(
        (result) => result.size,
        () => null,
      );
      if (backend.name === "s3") assert.equal(outcome, null, `${size} bytes put as ${length}`);
      if (outcome === null) assert.equal(await store.stat(key), null);
    }
    await assert.rejects(
      put("uneven/broken", failingStream(part + 100, new Error("client went away")), 2 * part),
      /client went away/,
    );
    assert.equal(await store.stat("uneven/broken"), null);
    if (backend.name === "s3") {
      await assert.rejects(
        put("uneven/too-large", streamOfBytes(randomBytes(10)).stream, 21 * MiB),
        BlobTooLargeError,
      );
    }
    await assertNoLeftovers(opened);
  });

  test("every byte value survives", async ({ store }) => {
    const bytes = new Uint8Array(256 * 3).map((_, i) => i % 256);
    await put(store, "binary", bytes, "application/octet-stream");
    assert.deepEqual(await bytesOf(await store.get("binary")), bytes);
  });

  test("exactly maxBytes is stored; one byte more is refused and leaves nothing", async (opened) => {
    const { store } = opened;
    const max = 300 * 1024 + 7;
    const exact = randomBytes(max);
    assert.deepEqual(
      await store.put("cap/exact", streamOfBytes(exact).stream, {
        contentType: "image/png",
        maxBytes: max,
      }),
      { size: max },
    );
    assert.equal(await sha256(await bytesOf(await store.get("cap/exact"))), await sha256(exact));

    const over = streamOfBytes(randomBytes(4 * max), 1024);
    await assert.rejects(
      store.put("cap/over", over.stream, { contentType: "image/png", maxBytes: max }),
      (error: unknown) => error instanceof BlobTooLargeError && error.maxBytes === max,
    );
    assert.equal(await store.stat("cap/over"), null);
    assert.ok(over.read() < 2 * max, `read ${over.read()} bytes: the body was not read on`);
    assert.ok(over.cancelled(), "the body was cancelled");
    assert.deepEqual(await keysOf(store, "cap/"), ["cap/exact"]);
    await assertNoLeftovers(opened);
  });

  test("a multipart-sized upload over its cap leaves nothing", async (opened) => {
    const { store } = opened;
    const max = BLOB_S3_PART_BYTES + 1000;
    await assert.rejects(
      store.put("cap/huge", streamOfBytes(randomBytes(max + 1)).stream, {
        contentType: "video/mp4",
        maxBytes: max,
      }),
      BlobTooLargeError,
    );
    assert.equal(await store.stat("cap/huge"), null);
    assert.deepEqual(await keysOf(store, ""), []);
    await assertNoLeftovers(opened);
  });

  test("a failed put keeps the file it would have replaced", async (opened) => {
    const { store } = opened;
    const old = randomBytes(70_000);
    await put(store, "keep/me", old, "image/gif");
    await assert.rejects(
      store.put("keep/me", streamOfBytes(randomBytes(200_000)).stream, {
        contentType: "image/png",
        maxBytes: 100_000,
      }),
      BlobTooLargeError,
    );
    await assert.rejects(
      store.put("keep/me", failingStream(400_000, new Error("client went away")), {
        contentType: "image/png",
        maxBytes: MiB,
      }),
      /client went away/,
    );
    assert.deepEqual(await store.stat("keep/me"), { size: old.length, contentType: "image/gif" });
    assert.deepEqual(await bytesOf(await store.get("keep/me")), old);
    await assertNoLeftovers(opened);
  });

  test("a body that errors mid-way rejects the put and leaves nothing", async (opened) => {
    const { store } = opened;
    await assert.rejects(
      store.put("broken/upload", failingStream(600_000, new Error("connection reset")), {
        contentType: "application/zip",
        maxBytes: 10 * MiB,
      }),
      /connection reset/,
    );
    assert.equal(await store.stat("broken/upload"), null);
    assert.equal(await store.get("broken/upload"), null);
    assert.deepEqual(await keysOf(store, ""), []);
    await assertNoLeftovers(opened);
  });

  test("ranges: start–end, open end, suffix, clamped, and out of range", async ({ store }) => {
    // Several chunks of every backend, so ranges cross chunk boundaries.
    const bytes = randomBytes(3 * BLOB_CHUNK_BYTES + 1234);
    const size = bytes.length;
    await put(store, "ranged", bytes, "video/webm");
    const cases: [Parameters<BlobStore["get"]>[1], number, number][] = [
      [{ start: 0, end: 0 }, 0, 0],
      [{ start: 10, end: 19 }, 10, 19],
      [
        { start: BLOB_CHUNK_BYTES - 5, end: 2 * BLOB_CHUNK_BYTES + 5 },
        BLOB_CHUNK_BYTES - 5,
        2 * BLOB_CHUNK_BYTES + 5,
      ],
      [{ start: 61_439, end: 61_441 }, 61_439, 61_441],
      [{ start: size - 100 }, size - 100, size - 1],
      [{ start: 5, end: size + 1000 }, 5, size - 1],
      [{ suffix: 500 }, size - 500, size - 1],
      [{ suffix: size + 500 }, 0, size - 1],
      [{ start: size - 1, end: size - 1 }, size - 1, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const read = await store.get("ranged", range);
      assert.deepEqual(read?.range, { start, end }, JSON.stringify(range));
      assert.equal(read?.size, size);
      assert.equal(read?.contentType, "video/webm");
      assert.deepEqual(await bytesOf(read), bytes.subarray(start, end + 1), JSON.stringify(range));
    }
    for (
      const range of [{ start: size }, { start: size + 10, end: size + 20 }, { suffix: 0 }, {
        start: 10,
        end: 5,
      }, { start: -1 }]
    ) {
      await assert.rejects(
        store.get("ranged", range),
        (error: unknown) => error instanceof BlobRangeError && error.size === size,
        JSON.stringify(range),
      );
    }
    assert.equal(await store.get("missing", { start: 0 }), null);
  });

  test("a reader may stop early", async ({ store }) => {
    await put(store, "partly", randomBytes(2 * MiB));
    const read = await store.get("partly");
    const reader = read!.body.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.byteLength > 0);
    await reader.cancel();
    // The store still works afterwards (nothing left open or locked).
    assert.equal(await store.delete("partly"), true);
  });

  test("overwrite replaces bytes and type", async (opened) => {
    const { store } = opened;
    await put(store, "avatar/u1", randomBytes(400_000), "image/png");
    const second = randomBytes(1000);
    assert.deepEqual(await put(store, "avatar/u1", second, "image/webp"), { size: 1000 });
    assert.deepEqual(await store.stat("avatar/u1"), { size: 1000, contentType: "image/webp" });
    assert.deepEqual(await bytesOf(await store.get("avatar/u1")), second);
    assert.deepEqual(await keysOf(store, "avatar/"), ["avatar/u1"]);
    await assertNoLeftovers(opened);
  });

  test("concurrent puts of different keys", async (opened) => {
    const { store } = opened;
    const files = Array.from({ length: 8 }, (_, i) => randomBytes(100_000 + i * 50_000));
    await Promise.all(files.map((bytes, i) => put(store, `many/${i}`, bytes)));
    for (const [i, bytes] of files.entries()) {
      assert.equal(
        await sha256(await bytesOf(await store.get(`many/${i}`))),
        await sha256(bytes),
        `many/${i}`,
      );
    }
    await assertNoLeftovers(opened);
  });

  // Not on s3: s3rver writes an object in place, so two PUTs of one key interleave there
  // (S3 itself replaces an object whole). The other three are the store's own doing.
  if (backend.name !== "s3") {
    test("concurrent puts of one key leave one whole file", async (opened) => {
      const { store } = opened;
      const files = Array.from({ length: 4 }, (_, i) => randomBytes(200_000 + i * 1000));
      await Promise.all(files.map((bytes) => put(store, "same", bytes)));
      const back = await bytesOf(await store.get("same"));
      const hashes = await Promise.all(files.map(sha256));
      assert.ok(hashes.includes(await sha256(back)), "one of the files, whole");
      assert.deepEqual(await keysOf(store, ""), ["same"]);
      await assertNoLeftovers(opened);
    });
  }

  test("list: by prefix, in key order, with sizes and times", async ({ store }) => {
    const before = Date.now() - 60_000;
    for (const key of ["b/2", "a.c", "a/b", "a/a/z", "ab", "b/1"]) {
      await put(store, key, new Uint8Array(key.length));
    }
    const all = await keysOf(store, "");
    // s3rver lists in its folders' order; S3 itself, like the other backends, in byte order.
    if (backend.name === "s3") all.sort();
    assert.deepEqual(all, ["a.c", "a/a/z", "a/b", "ab", "b/1", "b/2"]);
    assert.deepEqual(await keysOf(store, "a/"), ["a/a/z", "a/b"]);
    assert.deepEqual((await keysOf(store, "a")).sort(), ["a.c", "a/a/z", "a/b", "ab"]);
    assert.deepEqual(await keysOf(store, "b/1"), ["b/1"]);
    assert.deepEqual(await keysOf(store, "c"), []);
    for await (const listing of store.list("a/a")) {
      assert.equal(listing.size, "a/a/z".length);
      assert.ok(listing.storedAt > before && listing.storedAt < Date.now() + 60_000);
    }
  });

  test("bad keys and content types are refused", async ({ store }) => {
    const bad = [
      "",
      "../etc/passwd",
      "a/../b",
      "..",
      ".",
      "a/./b",
      "/abs",
      "trailing/",
      "a//b",
      "with space",
      "tilde~blob",
      "ünïcode",
      "back\\slash",
      "x".repeat(BLOB_KEY_MAX_LENGTH + 1),
      `a/${"x".repeat(BLOB_KEY_SEGMENT_MAX_LENGTH + 1)}`,
    ];
    for (const key of bad) {
      await assert.rejects(put(store, key, new Uint8Array(1)), BlobKeyError, key);
      await assert.rejects(store.get(key), BlobKeyError, key);
      await assert.rejects(store.stat(key), BlobKeyError, key);
      await assert.rejects(store.delete(key), BlobKeyError, key);
    }
    await assert.rejects(
      put(store, "ok", new Uint8Array(1), "text/plain\r\nX-Evil: 1"),
      BlobKeyError,
    );
    await assert.rejects(put(store, "ok", new Uint8Array(1), ""), BlobKeyError);
    assert.deepEqual(await keysOf(store, ""), []);
    // The longest allowed key (and segments) work.
    const segment = "k".repeat(BLOB_KEY_SEGMENT_MAX_LENGTH);
    const longest = `${segment}/${segment}/${segment}`.slice(0, BLOB_KEY_MAX_LENGTH);
    await put(store, longest, new Uint8Array(3));
    assert.equal((await store.stat(longest))?.size, 3);
  });
}
