/**
 * The blob store, opened when a file is first uploaded or read unless it was opened already
 * (main.ts does at start-up, so a wrong bucket stops the app there): a test or bench instance
 * that never handles a file opens no folder, schema or bucket.
 * A failed open is tried again by the next request.
 */
import type { BlobStore } from "../../db/blob_store.ts";

export interface LazyBlobStore {
  /** The store, opening it on first use. */
  get(): Promise<BlobStore>;
  /** Closes it if it was opened. */
  close(): Promise<void>;
}

/** `given`: a store opened already (main.ts opens it at start-up), closed by `close` all the same. */
export function lazyBlobStore(open: () => Promise<BlobStore>, given?: BlobStore): LazyBlobStore {
  let opening: Promise<BlobStore> | undefined = given && Promise.resolve(given);
  return {
    get() {
      opening ??= open().catch((error) => {
        opening = undefined;
        throw error;
      });
      return opening;
    },
    async close() {
      const opened = await opening?.catch(() => null);
      opening = undefined;
      await opened?.close();
    },
  };
}
