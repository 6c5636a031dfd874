/**
 * Salon's production entry: `deno task start`.
 *
 * Reads the configuration (exits with a clear message on a bad value), builds the browser assets
 * if they are missing or stale (never on Deno Deploy, where the build step made them), opens the
 * store and serves until SIGTERM/SIGINT, then shuts down gracefully.
 */
import { openStore } from "./db/open_store.ts";
import { openBlobStore } from "./db/blobs/open_blob_store.ts";
import { ensureAssets } from "./lib/assets/build.ts";
import { ConfigError, loadConfig } from "./lib/config.ts";
import type { Config } from "./lib/config.ts";
import { SHUTDOWN_REQUEST_GRACE_MS } from "./lib/limits.ts";
import { createServices } from "./lib/services.ts";
import { createApp } from "./routes/app.ts";

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Salon cannot start: ${error.message}`);
    Deno.exit(1);
  }
}

const config = readConfig();
if (!config.deployment && Deno.env.get("SALON_SKIP_BUILD") !== "1" && await ensureAssets()) {
  console.log("Built browser assets into static/build/");
}
const store = await openStore(config);
// Opened here, not on the first upload: a wrong folder, schema or bucket stops the start-up.
const blobStore = await openBlobStore({
  blobStore: config.blobStore,
  databaseUrl: config.databaseUrl,
  kvPath: config.kvPath,
});
const services = await createServices(config, store, { blobStore });
const app = createApp({ config, ...services });

const server = Deno.serve({
  port: config.port,
  hostname: config.host,
  onListen: ({ hostname, port }) => {
    const backend = config.databaseUrl
      ? "PostgreSQL"
      : `Deno KV (${config.kvPath ?? "Deno Deploy"})`;
    console.log(`Salon listening on http://${hostname}:${port} with ${backend}`);
  },
}, app.fetch);

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal}: finishing in-flight requests, then stopping`);
  // Sockets first (1012: clients reconnect and resume), then in-flight requests, then storage.
  await services.close();
  // In-flight requests get a bounded time to finish; a dangling connection cannot hold us.
  await Promise.race([
    server.shutdown(),
    new Promise((resolve) => setTimeout(resolve, SHUTDOWN_REQUEST_GRACE_MS)),
  ]);
  await store.close();
  Deno.exit(0);
}

if (!config.deployment) {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => shutdown(signal));
  }
  // Benchmarks measure memory without garbage: started with --v8-flags=--expose-gc and
  // SALON_MEMORY_REPORT=<file>, the process collects garbage on SIGUSR2 and writes
  // Deno.memoryUsage() to that file (otherwise the signal is not listened to).
  const collect = (globalThis as { gc?: () => void }).gc;
  const reportTo = Deno.env.get("SALON_MEMORY_REPORT");
  if (collect && reportTo) {
    Deno.addSignalListener("SIGUSR2", () => {
      collect();
      Deno.writeTextFileSync(reportTo, JSON.stringify(Deno.memoryUsage()));
    });
  }
}
await server.finished;
