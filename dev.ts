/**
 * Watch mode: `deno task dev`. Writes the manifest (fresh.gen.ts) and rewrites it when a file
 * under islands/ or routes/ changes, rebuilds island bundles and the stylesheet on change, and
 * restarts the server when its code changes. Stop with Ctrl+C.
 */
import { buildAssets, bundleArgs, tailwindArgs } from "./lib/assets/build.ts";
import { MANIFEST_PATH, writeManifest } from "./lib/assets/manifest.ts";

/** A burst of file events (an editor's save writes several) rewrites the manifest once. */
const MANIFEST_DEBOUNCE_MS = 200;

async function updateManifest(): Promise<void> {
  try {
    if (await writeManifest()) console.log(`Wrote ${MANIFEST_PATH}`);
  } catch (error) {
    console.error(`Could not write ${MANIFEST_PATH}:`, error);
  }
}

/** Rewrites the manifest as islands and route modules come and go. */
async function watchManifest(): Promise<void> {
  let pending: ReturnType<typeof setTimeout> | undefined;
  const dirs = ["islands", "routes"].map((dir) => new URL(dir, import.meta.url).pathname);
  for await (const _event of Deno.watchFs(dirs)) {
    clearTimeout(pending);
    pending = setTimeout(updateManifest, MANIFEST_DEBOUNCE_MS);
  }
}

await updateManifest();
await buildAssets();
const spawn = (args: string[], env: Record<string, string> = {}) =>
  new Deno.Command(Deno.execPath(), { args, env, stdin: "null" }).spawn();

const children = [
  spawn([...await bundleArgs(), "--watch"]),
  spawn([...tailwindArgs(), "--watch"]),
  // --watch follows main.ts's module graph; bundles are files read per request, no restart needed.
  spawn(["run", "--allow-all", "--watch", "main.ts"], { SALON_SKIP_BUILD: "1" }),
];

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    for (const child of children) child.kill("SIGTERM");
    Deno.exit(0);
  });
}
watchManifest().catch((error) => console.error("Stopped watching for islands and routes:", error));
await Promise.all(children.map((child) => child.status));
