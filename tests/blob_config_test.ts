/**
 * `BLOB_STORE` and its settings (lib/config.ts), and openBlobStore picking the backend they name
 * (db/blobs/open_blob_store.ts), with a clear start-up error for what is missing or wrong.
 */
import assert from "node:assert/strict";
import S3rver from "s3rver";
import { ConfigError, loadConfig } from "../lib/config.ts";
import { openBlobStore } from "../db/blobs/open_blob_store.ts";

const S3_ENV = {
  BLOB_STORE: "s3",
  S3_ENDPOINT: "https://s3.eu-west-1.amazonaws.com",
  S3_BUCKET: "salon-files",
  S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
  S3_SECRET_ACCESS_KEY: "secret",
};
const DB = { DATABASE_URL: "postgres://u@h/db" };

Deno.test("blob config - defaults: fs beside KV, postgres with DATABASE_URL, kv on Deploy", () => {
  assert.deepEqual(loadConfig({}).blobStore, { kind: "fs", filesPath: "./data/files" });
  assert.equal(loadConfig(DB).blobStore.kind, "postgres");
  assert.equal(loadConfig({ DENO_DEPLOYMENT_ID: "abc" }).blobStore.kind, "kv");
  assert.equal(loadConfig({ FILES_PATH: " /srv/files " }).blobStore.filesPath, "/srv/files");
  assert.equal(loadConfig({ ...DB, BLOB_STORE: "fs" }).blobStore.kind, "fs");
});

Deno.test("blob config - s3 with every setting", () => {
  assert.deepEqual(loadConfig(S3_ENV).blobStore, {
    kind: "s3",
    filesPath: "./data/files",
    s3: {
      endpoint: "https://s3.eu-west-1.amazonaws.com",
      bucket: "salon-files",
      region: "us-east-1",
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: "secret",
    },
  });
  const local = loadConfig({ ...S3_ENV, S3_ENDPOINT: "http://127.0.0.1:9000/", S3_REGION: "auto" });
  assert.equal(local.blobStore.s3?.endpoint, "http://127.0.0.1:9000");
  assert.equal(local.blobStore.s3?.region, "auto");
});

Deno.test("blob config - bad values fail with the variable's name", () => {
  const fails = (env: Record<string, string>, message: RegExp) =>
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, message);
      return true;
    });
  fails(
    { BLOB_STORE: "disk" },
    /Invalid BLOB_STORE: it must be fs, kv, postgres or s3: got "disk"/,
  );
  fails({ BLOB_STORE: "postgres" }, /BLOB_STORE=postgres needs DATABASE_URL/);
  fails({ ...DB, BLOB_STORE: "kv" }, /BLOB_STORE=kv needs the KV store/);
  fails({ DENO_DEPLOYMENT_ID: "abc", BLOB_STORE: "fs" }, /cannot run on Deno Deploy/);
  fails(
    { BLOB_STORE: "s3" },
    /BLOB_STORE=s3 needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/,
  );
  fails({ ...S3_ENV, S3_SECRET_ACCESS_KEY: " " }, /BLOB_STORE=s3 needs S3_SECRET_ACCESS_KEY$/);
  fails({ ...S3_ENV, S3_ENDPOINT: "s3.amazonaws.com" }, /Invalid S3_ENDPOINT/);
  fails({ ...S3_ENV, S3_ENDPOINT: "https://host/bucket" }, /Invalid S3_ENDPOINT/);
  fails({ ...S3_ENV, S3_ENDPOINT: "https://key:secret@host" }, /Invalid S3_ENDPOINT/);
  fails({ ...S3_ENV, S3_ENDPOINT: "ftp://host" }, /Invalid S3_ENDPOINT/);
  fails({ ...S3_ENV, S3_BUCKET: "Upper_Case" }, /Invalid S3_BUCKET/);
  fails({ ...S3_ENV, S3_BUCKET: "ab" }, /Invalid S3_BUCKET/);
  // S3 settings without BLOB_STORE=s3 would be silently unused.
  fails({ S3_BUCKET: "salon-files" }, /S3_BUCKET set but BLOB_STORE is fs: set BLOB_STORE=s3/);
});

Deno.test("openBlobStore - opens the file system and KV stores it is configured for", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-blob-open-" });
  try {
    const fs = await openBlobStore({
      blobStore: loadConfig({ FILES_PATH: `${dir}/files` }).blobStore,
    });
    assert.equal(fs.kind, "fs");
    await fs.put("a/b", new Blob(["hi"]).stream(), { contentType: "text/plain", maxBytes: 10 });
    assert.ok((await Deno.stat(`${dir}/files/a/b~blob`)).isFile);
    await fs.close();

    const kv = await openBlobStore({
      blobStore: { kind: "kv", filesPath: "unused" },
      kvPath: `${dir}/blobs.kv`,
    });
    assert.equal(kv.kind, "kv");
    await kv.put("a/b", new Blob(["hi"]).stream(), { contentType: "text/plain", maxBytes: 10 });
    assert.deepEqual(await kv.stat("a/b"), { size: 2, contentType: "text/plain" });
    await kv.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openBlobStore - s3: an unreachable endpoint or a missing bucket fails at start-up", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-s3rver-" });
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir });
  const { port } = await server.run() as { port: number };
  try {
    const settings = {
      endpoint: `http://127.0.0.1:${port}`,
      bucket: "no-such-bucket",
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    };
    await assert.rejects(
      openBlobStore({ blobStore: { kind: "s3", filesPath: "", s3: settings } }),
      /S3 access to bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ .* failed: 404 NoSuchBucket/,
    );
    // A port nothing listens on: the server just stopped holds it free.
    await server.close();
    await assert.rejects(
      openBlobStore({ blobStore: { kind: "s3", filesPath: "", s3: settings } }),
      /S3_ENDPOINT http:\/\/127\.0\.0\.1:\d+ cannot be reached/,
    );
  } finally {
    await server.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
