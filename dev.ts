/**
 * Watch mode: `deno task dev`. Rebuilds island bundles and the stylesheet on change, and
 * restarts the server when its code changes. Stop with Ctrl+C.
 */
import { buildAssets, bundleArgs, tailwindArgs } from "./lib/assets/build.ts";

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
await Promise.all(children.map((child) => child.status));
