/**
 * Picks the backend from the configuration: PostgreSQL when a database URL is given, otherwise
 * Deno KV (a file locally, the platform's database on Deno Deploy).
 */
import type { Store } from "./store.ts";
import { openKvStore } from "./kv/kv_store.ts";
import { openPostgresStore } from "./postgres/postgres_store.ts";

export interface StoreSettings {
  databaseUrl?: string;
  kvPath?: string;
}

/** Opens the configured store, creating the KV file's folder if needed. */
export async function openStore(settings: StoreSettings): Promise<Store> {
  if (settings.databaseUrl) return await openPostgresStore(settings.databaseUrl);
  if (settings.kvPath) {
    const folder = settings.kvPath.replace(/[^/]*$/, "");
    if (folder) await Deno.mkdir(folder, { recursive: true });
  }
  return await openKvStore(settings.kvPath);
}
