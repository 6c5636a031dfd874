/**
 * `deno task bench:blobs [--quick] [--json] [--stores fs,kv,postgres,s3]`: blob storage
 * (issue 16). Per backend, a 25 MiB file streamed in (64 KiB pieces, as a request body arrives)
 * and out again through the BlobStore, against the same bytes written and read straight with
 * the same client from one buffer:
 *
 * - fs: Deno.writeFile + fdatasync (the store syncs before its rename too) / Deno.readFile;
 * - kv: the same 60 KiB values set 10 per commit / listed back (the store without streaming);
 * - postgres: one 25 MiB bytea INSERT / SELECT (TEST_DATABASE_URL; skipped without it);
 * - s3: one PutObject / GetObject with aws4fetch, to s3rver in a child process (so its memory
 *   is not counted here).
 *
 * Memory, in an untimed pass: the process RSS after a full GC before a streamed upload +
 * download, after it, and at every MiB during it (the highest): what is live, not garbage not
 * yet collected. A store that held the file would grow by 25 MiB. Figures are medians of ROUNDS;
 * ratios are the store's throughput ÷ the straight one's, measured in this run. Exits 1 when the
 * RSS grew by 8 MiB or more.
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { AwsClient } from "aws4fetch";
import type { BlobStore } from "../db/blob_store.ts";
import { openFsBlobStore } from "../db/blobs/fs_blob_store.ts";
import { openKvBlobStore } from "../db/blobs/kv_blob_store.ts";
import { openPostgresBlobStore } from "../db/blobs/postgres_blob_store.ts";
import { openS3BlobStore } from "../db/blobs/s3_blob_store.ts";
import { BLOB_KV_CHUNK_BYTES, BLOB_KV_CHUNKS_PER_COMMIT } from "../lib/limits.ts";

const MiB = 1024 * 1024;
const PIECE = 64 * 1024;
const S3_KEY = "S3RVER";
const BUCKET = "bench";

if (Deno.args[0] === "--s3rver-child") await runS3rver(Deno.args[1]);

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    stores: { type: "string", default: "fs,kv,postgres,s3" },
  },
});
const FILE_BYTES = (values.quick ? 5 : 25) * MiB;
const ROUNDS = values.quick ? 1 : 3;
const gc = (globalThis as { gc?: () => void }).gc;
const log = (text: string) => values.json || console.error(text);

/** The child process that serves S3 (s3rver) on a spare loopback port; prints the port. */
async function runS3rver(directory: string): Promise<never> {
  const { default: S3rver } = await import("s3rver");
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  const { port } = await server.run() as { port: number };
  console.log(port);
  return await new Promise<never>(() => {});
}

const block = crypto.getRandomValues(new Uint8Array(PIECE));
/** While true (the memory pass, not timed), every MiB through is followed by a full GC. */
let settling = false;
let peakRss = 0;
let sinceSample = 0;
/** Samples the RSS after `bytes` more went through: settled (after a GC) once per MiB. */
function sampleRss(bytes: number): void {
  sinceSample += bytes;
  if (!settling || sinceSample < MiB) return;
  sinceSample = 0;
  peakRss = Math.max(peakRss, settledRss());
}

/** FILE_BYTES in PIECE-sized fresh arrays, made as they are pulled (never the whole file). */
function source(): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= FILE_BYTES) return controller.close();
      sampleRss(PIECE);
      controller.enqueue(block.slice());
      sent += PIECE;
    },
  }, { highWaterMark: 0 });
}

async function drain(body: ReadableStream<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const piece of body) {
    total += piece.byteLength;
    sampleRss(piece.byteLength);
  }
  return total;
}

/** The whole file in one buffer, for the straight writes. */
function wholeFile(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(FILE_BYTES);
  for (let at = 0; at < FILE_BYTES; at += PIECE) bytes.set(block, at);
  return bytes;
}

function settledRss(): number {
  gc?.();
  return Deno.memoryUsage().rss;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mibps = (ms: number) => FILE_BYTES / MiB / (ms / 1000);

interface Straight {
  write(bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  read(): Promise<number>;
}

interface Subject {
  name: string;
  store: BlobStore;
  straight: Straight;
  close(): Promise<void>;
}

async function openFs(): Promise<Subject> {
  const dir = await Deno.makeTempDir({ prefix: "salon-bench-blobs-" });
  const path = `${dir}/straight.bin`;
  return {
    name: "fs",
    store: await openFsBlobStore(`${dir}/files`),
    straight: {
      async write(bytes) {
        await Deno.writeFile(path, bytes);
        using file = await Deno.open(path, { write: true });
        await file.syncData();
      },
      async read() {
        return (await Deno.readFile(path)).byteLength;
      },
    },
    close: () => Deno.remove(dir, { recursive: true }),
  };
}

async function openKv(): Promise<Subject> {
  const dir = await Deno.makeTempDir({ prefix: "salon-bench-blobs-kv-" });
  const store = await openKvBlobStore(`${dir}/blobs.kv`);
  const kv = await Deno.openKv(`${dir}/straight.kv`);
  return {
    name: "kv",
    store,
    straight: {
      async write(bytes) {
        const per = BLOB_KV_CHUNK_BYTES * BLOB_KV_CHUNKS_PER_COMMIT;
        for (let at = 0; at < bytes.length; at += per) {
          const op = kv.atomic();
          for (let n = at; n < Math.min(bytes.length, at + per); n += BLOB_KV_CHUNK_BYTES) {
            op.set(["straight", n], bytes.subarray(n, n + BLOB_KV_CHUNK_BYTES));
          }
          await op.commit();
        }
      },
      async read() {
        let total = 0;
        for await (const entry of kv.list<Uint8Array>({ prefix: ["straight"] })) {
          total += entry.value.byteLength;
        }
        return total;
      },
    },
    async close() {
      await store.close();
      kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function openPostgres(): Promise<Subject | null> {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) return null;
  const schema = `bench_blobs_${crypto.randomUUID().replaceAll("-", "")}`;
  const store = await openPostgresBlobStore(url, { schema });
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: schema },
  });
  await sql`CREATE TABLE straight (id int PRIMARY KEY, bytes bytea NOT NULL)`;
  await sql`ALTER TABLE straight ALTER COLUMN bytes SET STORAGE EXTERNAL`;
  return {
    name: "postgres",
    store,
    straight: {
      async write(bytes) {
        await sql`INSERT INTO straight VALUES (1, ${bytes})
          ON CONFLICT (id) DO UPDATE SET bytes = EXCLUDED.bytes`;
      },
      async read() {
        const [row] = await sql<{ bytes: Uint8Array }[]>`SELECT bytes FROM straight WHERE id = 1`;
        return row.bytes.byteLength;
      },
    },
    async close() {
      await store.close();
      await sql`DROP SCHEMA ${sql(schema)} CASCADE`;
      await sql.end();
    },
  };
}

async function openS3(): Promise<Subject> {
  const dir = await Deno.makeTempDir({ prefix: "salon-bench-s3rver-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--s3rver-child", dir],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!output.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("s3rver exited before it listened");
    output += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  const endpoint = `http://127.0.0.1:${output.trim()}`;
  const client = new AwsClient({
    accessKeyId: S3_KEY,
    secretAccessKey: S3_KEY,
    service: "s3",
    region: "us-east-1",
  });
  await (await client.fetch(`${endpoint}/${BUCKET}`, { method: "PUT" })).body?.cancel();
  const store = await openS3BlobStore({
    endpoint,
    bucket: BUCKET,
    region: "us-east-1",
    accessKeyId: S3_KEY,
    secretAccessKey: S3_KEY,
  });
  const url = `${endpoint}/${BUCKET}/straight.bin`;
  return {
    name: "s3",
    store,
    straight: {
      async write(bytes) {
        const response = await client.fetch(url, { method: "PUT", body: bytes });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`PutObject: ${response.status}`);
      },
      async read() {
        return (await (await client.fetch(url)).arrayBuffer()).byteLength;
      },
    },
    async close() {
      child.kill();
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

interface Result {
  store: string;
  mib: number;
  uploadMiBps: number;
  straightWriteMiBps: number;
  uploadRatio: number;
  downloadMiBps: number;
  straightReadMiBps: number;
  downloadRatio: number;
  /** RSS after − before a streamed upload + download (after GC), MiB. */
  rssGrowthMiB: number;
  /** The highest RSS during it (after a GC, once per MiB streamed) − before, MiB. */
  rssPeakMiB: number;
  /** The same two for the straight write + read of the whole buffer. */
  straightRssPeakMiB: number;
}

async function measure(subject: Subject): Promise<Result> {
  const { store, straight } = subject;
  const options = { contentType: "application/octet-stream", maxBytes: FILE_BYTES };
  // Warm-up, full size: first-use code, connections and the allocator's first growth are not
  // what is measured.
  await store.put("warm", source(), options);
  await drain((await store.get("warm"))!.body);
  await store.delete("warm");
  const uploads: number[] = [];
  const downloads: number[] = [];
  const growths: number[] = [];
  const peaks: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    uploads.push(await timed(() => store.put(`bench/${round}`, source(), options)));
    downloads.push(
      await timed(async () => {
        const size = await drain((await store.get(`bench/${round}`))!.body);
        if (size !== FILE_BYTES) throw new Error(`read ${size} bytes`);
      }),
    );
    await store.delete(`bench/${round}`);
  }
  // The memory pass, untimed: what is live (after a GC) while a file streams in and out.
  for (let round = 0; round < ROUNDS; round++) {
    settling = Boolean(gc);
    const before = settledRss();
    peakRss = before;
    await store.put("bench/memory", source(), options);
    await drain((await store.get("bench/memory"))!.body);
    peaks.push(peakRss - before);
    growths.push(settledRss() - before);
    settling = false;
    await store.delete("bench/memory");
  }
  const writes: number[] = [];
  const reads: number[] = [];
  const straightPeaks: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = settledRss();
    const bytes = wholeFile();
    writes.push(await timed(() => straight.write(bytes)));
    reads.push(await timed(straight.read));
    straightPeaks.push(Deno.memoryUsage().rss - before);
  }
  const [up, down, write, read] = [uploads, downloads, writes, reads].map(median);
  const mb = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
  return {
    store: subject.name,
    mib: FILE_BYTES / MiB,
    uploadMiBps: Math.round(mibps(up)),
    straightWriteMiBps: Math.round(mibps(write)),
    uploadRatio: Math.round((write / up) * 100) / 100,
    downloadMiBps: Math.round(mibps(down)),
    straightReadMiBps: Math.round(mibps(read)),
    downloadRatio: Math.round((read / down) * 100) / 100,
    rssGrowthMiB: mb(median(growths)),
    rssPeakMiB: mb(median(peaks)),
    straightRssPeakMiB: mb(median(straightPeaks)),
  };
}

/**
 * The instrument checked: the same memory pass over a "store" that keeps every piece in an
 * array until the read (what a store holding the whole file does) must show the file's size.
 */
async function heldFilePeakMiB(): Promise<number> {
  settling = Boolean(gc);
  const before = settledRss();
  peakRss = before;
  const held: Uint8Array[] = [];
  for await (const piece of source()) held.push(piece);
  await drain(ReadableStream.from(held));
  held.length = 0;
  settling = false;
  return Math.round(((peakRss - before) / MiB) * 10) / 10;
}

const openers: Record<string, () => Promise<Subject | null>> = {
  fs: openFs,
  kv: openKv,
  postgres: openPostgres,
  s3: openS3,
};
if (!gc) log("note: run with --v8-flags=--expose-gc (the task does) for RSS after a full GC");
const results: Result[] = [];
const control = await heldFilePeakMiB();
log(`instrument check: a store holding the file would peak at +${control} MiB`);
for (const name of values.stores.split(",")) {
  const subject = await openers[name]?.();
  if (!subject) {
    log(`${name}: skipped (${name === "postgres" ? "TEST_DATABASE_URL is not set" : "unknown"})`);
    continue;
  }
  try {
    const result = await measure(subject);
    results.push(result);
    log(
      `${result.store}: upload ${result.uploadMiBps} MiB/s (straight ${result.straightWriteMiBps}, ratio ${result.uploadRatio}), ` +
        `download ${result.downloadMiBps} MiB/s (straight ${result.straightReadMiBps}, ratio ${result.downloadRatio}), ` +
        `RSS +${result.rssGrowthMiB} MiB after, peak +${result.rssPeakMiB} MiB (straight peak +${result.straightRssPeakMiB} MiB)`,
    );
  } finally {
    await subject.close();
  }
}
if (values.json) {
  console.log(JSON.stringify({ fileMiB: FILE_BYTES / MiB, rounds: ROUNDS, control, results }));
}
const over = results.filter((result) => Math.max(result.rssGrowthMiB, result.rssPeakMiB) >= 8);
if (over.length > 0) {
  log(`RSS grew by 8 MiB or more: ${over.map((result) => result.store).join(", ")}`);
  Deno.exit(1);
}
