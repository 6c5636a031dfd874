/**
 * Where the JWT signing secret comes from: `JWT_SECRET` if set; otherwise (development only) a
 * random one generated once and kept in the store, so sessions survive restarts.
 */
import type { Store } from "../db/store.ts";
import type { Config } from "./config.ts";

const SETTING_KEY = "jwt_secret";

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}

/** Resolves the secret; `loadConfig` already refused production without one. */
export async function resolveJwtSecret(
  config: Pick<Config, "jwtSecret">,
  store: Store,
): Promise<string> {
  return config.jwtSecret ?? await store.getOrCreateSetting(SETTING_KEY, randomSecret());
}
