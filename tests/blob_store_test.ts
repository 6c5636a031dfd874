/**
 * The blob store contract (tests/blob_store_contract.ts) on all four real backends: a temporary
 * folder, a Deno KV file, a fresh PostgreSQL schema (TEST_DATABASE_URL) and an S3 server
 * (s3rver, started on a spare loopback port for each test and stopped after it).
 */
import postgres from "postgres";
import S3rver from "s3rver";
import { AwsClient } from "aws4fetch";
import { openFsBlobStore } from "../db/blobs/fs_blob_store.ts";
import { openKvBlobStore } from "../db/blobs/kv_blob_store.ts";
import { openPostgresBlobStore } from "../db/blobs/postgres_blob_store.ts";
import { openS3BlobStore } from "../db/blobs/s3_blob_store.ts";
import { type BlobBackend, blobStoreContract } from "./blob_store_contract.ts";
import { needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";

/** Files of puts that never finished (fs_blob_store.ts names them `…~tmp-<uuid>`). */
async function tempFiles(folder: string): Promise<number> {
  let count = 0;
  for await (const entry of Deno.readDir(folder)) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory) count += await tempFiles(path);
    else if (entry.name.includes("~tmp-")) count++;
  }
  return count;
}

const FS: BlobBackend = {
  name: "fs",
  options: { ignore: false },
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "salon-blobs-" });
    return {
      store: await openFsBlobStore(`${dir}/files`),
      leftovers: () => tempFiles(dir),
      dispose: () => Deno.remove(dir, { recursive: true }),
    };
  },
};

const KV: BlobBackend = {
  name: "kv",
  options: { ignore: false },
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "salon-blobs-kv-" });
    const store = await openKvBlobStore(`${dir}/blobs.kv`);
    return {
      store,
      // Chunks whose id no meta value names: a failed or replaced put's.
      async leftovers() {
        const kv = await Deno.openKv(`${dir}/blobs.kv`);
        try {
          const named = new Set<string>();
          for await (const meta of kv.list<{ id: string }>({ prefix: ["blob_meta"] })) {
            named.add(meta.value.id);
          }
          let stray = 0;
          for await (const chunk of kv.list({ prefix: ["blob_chunks"] })) {
            if (!named.has(chunk.key[1] as string)) stray++;
          }
          return stray;
        } finally {
          kv.close();
        }
      },
      async dispose() {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
};

const POSTGRES: BlobBackend = {
  name: "postgres",
  options: needs(POSTGRES_BACKEND),
  async open() {
    const url = testDatabaseUrl();
    const schema = `test_blobs_${crypto.randomUUID().replaceAll("-", "")}`;
    const store = await openPostgresBlobStore(url, { schema, max: 4 });
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    return {
      store,
      async leftovers() {
        const [row] = await admin<{ stray: number }[]>`
          SELECT count(*)::int AS stray FROM ${admin(schema)}.blob_chunks c
          WHERE NOT EXISTS (SELECT 1 FROM ${admin(schema)}.blobs b WHERE b.blob_id = c.blob_id)`;
        return row.stray;
      },
      async dispose() {
        await store.close();
        await admin`DROP SCHEMA ${admin(schema)} CASCADE`;
        await admin.end();
      },
    };
  },
};

/** s3rver's fixed credentials. */
const S3RVER_KEY = "S3RVER";

const S3: BlobBackend = {
  name: "s3",
  options: { ignore: false },
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "salon-s3rver-" });
    const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir });
    const { port } = await server.run() as { port: number };
    const endpoint = `http://127.0.0.1:${port}`;
    const bucket = "salon-test";
    const admin = new AwsClient({
      accessKeyId: S3RVER_KEY,
      secretAccessKey: S3RVER_KEY,
      service: "s3",
      region: "us-east-1",
    });
    const created = await admin.fetch(`${endpoint}/${bucket}`, { method: "PUT" });
    await created.body?.cancel();
    if (!created.ok) throw new Error(`s3rver refused to create the bucket: ${created.status}`);
    const store = await openS3BlobStore({
      endpoint,
      bucket,
      region: "us-east-1",
      accessKeyId: S3RVER_KEY,
      secretAccessKey: S3RVER_KEY,
    });
    return {
      store,
      // No `leftovers`: s3rver implements neither ListMultipartUploads nor AbortMultipartUpload.
      async dispose() {
        await store.close();
        await server.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
};

for (const backend of [FS, KV, POSTGRES, S3]) blobStoreContract(backend);
