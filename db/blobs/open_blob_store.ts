/**
 * Picks the blob backend from the configuration (`BLOB_STORE`, lib/config.ts): the file system
 * beside a local KV file, PostgreSQL with DATABASE_URL, Deno KV on Deno Deploy, or an
 * S3-compatible object store.
 */
import type { BlobStoreConfig } from "../../lib/config.ts";
import type { BlobStore } from "../blob_store.ts";
import { openFsBlobStore } from "./fs_blob_store.ts";
import { openKvBlobStore } from "./kv_blob_store.ts";
import { openPostgresBlobStore } from "./postgres_blob_store.ts";
import { openS3BlobStore } from "./s3_blob_store.ts";

export interface BlobStoreSettings {
  blobStore: BlobStoreConfig;
  /** For postgres. */
  databaseUrl?: string;
  /** For kv: the KV file (undefined: the platform's database on Deno Deploy). */
  kvPath?: string;
}

/** Opens the configured blob store; fails at start-up with a message naming what is missing. */
export async function openBlobStore(settings: BlobStoreSettings): Promise<BlobStore> {
  const { blobStore } = settings;
  switch (blobStore.kind) {
    case "fs":
      return await openFsBlobStore(blobStore.filesPath);
    case "kv":
      return await openKvBlobStore(settings.kvPath);
    case "postgres":
      if (!settings.databaseUrl) throw new Error("BLOB_STORE=postgres needs DATABASE_URL");
      return await openPostgresBlobStore(settings.databaseUrl);
    case "s3":
      if (!blobStore.s3) {
        throw new Error(
          "BLOB_STORE=s3 needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY",
        );
      }
      return await openS3BlobStore(blobStore.s3);
  }
}
