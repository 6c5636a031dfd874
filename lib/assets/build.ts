/**
 * The ahead-of-time asset build: island bundles and the Tailwind stylesheet, into static/build/.
 *
 * - `deno bundle --platform browser --minify --code-splitting` turns islands/runtime/boot.ts and
 *   every islands/<Name>.tsx into static/build/runtime/boot.js and static/build/<Name>.js, with
 *   Preact and signals in shared chunks so each page loads them once.
 * - The chat page's islands (listed by islands/runtime/chat_page.ts) are bundled together into
 *   static/build/runtime/chat_page.js instead (islands/runtime/boot.ts imports it for them, see
 *   lib/islands/bundles.ts), and each one's static/build/<Name>.js re-exports its island from
 *   there for whatever loads that file. A file per island and per chunk they share cost the chat
 *   page ~5.8 KB gzip more (each file gzipped alone, no dictionary in common; its budget is
 *   40 KB).
 * - The Tailwind v4 CLI compiles static/styles.css into static/build/app.css, scanning the
 *   sources for class names.
 * - Every .js and .css gets a gzipped twin (.gz), served precompressed.
 *
 * `deno task build` runs it, after writing the manifest of routes and islands (fresh.gen.ts, see
 * manifest.ts); `deno task start` runs it first when the output is missing or older
 * than a source (`ensureAssets`). On Deno Deploy the build step runs it and nothing is written at
 * run time.
 */

import { gzipSync } from "node:zlib";
import { withDirLock } from "./build_lock.ts";
import { MANIFEST_PATH, writeManifest } from "./manifest.ts";

const ROOT = new URL("../../", import.meta.url);
/** Where the build writes; served under /build/. */
export const BUILD_DIR = new URL("static/build/", ROOT);
const STAMP = new URL("static/build/.stamp", ROOT);
/** Sources whose change makes the build stale (Tailwind scans them all for class names). */
const SOURCE_DIRS = ["islands", "components", "routes", "lib/islands"];
const SOURCE_FILES = ["static/styles.css", "deno.json", "deno.lock"];

/** The islands bundled together for the chat page, and where (relative to static/build/). */
const CHAT_PAGE_ENTRY = "islands/runtime/chat_page.ts";
/** As lib/islands/bundles.ts names it (that module imports the islands: not for the build). */
const CHAT_PAGE_BUNDLE = "runtime/chat_page.js";
const CHAT_PAGE_LINE = /^export \{ default as (\w+) \} from "\.\.\/(\w+)\.tsx";$/;

/** The islands islands/runtime/chat_page.ts re-exports, read from its `export` lines. */
export async function chatPageIslands(): Promise<string[]> {
  const source = await Deno.readTextFile(new URL(CHAT_PAGE_ENTRY, ROOT));
  const names: string[] = [];
  for (const line of source.split("\n").filter((line) => line.startsWith("export"))) {
    const match = CHAT_PAGE_LINE.exec(line);
    if (!match || match[1] !== match[2]) {
      throw new Error(
        `${CHAT_PAGE_ENTRY}: not an "export { default as Name } from "../Name.tsx";" line: ${line}`,
      );
    }
    names.push(match[1]);
  }
  return names;
}

/** The `deno bundle` arguments for every island and the boot runtime. */
export async function bundleArgs(): Promise<string[]> {
  const entries = ["islands/runtime/boot.ts", CHAT_PAGE_ENTRY];
  const bundled = new Set(await chatPageIslands());
  for await (const entry of Deno.readDir(new URL("islands/", ROOT))) {
    const name = /^([A-Z]\w*)\.tsx$/.exec(entry.name)?.[1];
    if (entry.isFile && name && !bundled.has(name)) entries.push(`islands/${entry.name}`);
  }
  return [
    "bundle",
    "--quiet",
    "--platform=browser",
    "--format=esm",
    "--minify",
    "--code-splitting",
    "--outdir=static/build",
    ...entries.sort(),
  ];
}

/** The Tailwind CLI arguments. */
export function tailwindArgs(): string[] {
  return [
    "run",
    "--allow-all",
    "npm:@tailwindcss/cli",
    "--input=static/styles.css",
    "--output=static/build/app.css",
    "--minify",
  ];
}

async function run(args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `Asset build failed: deno ${args.join(" ")}\n${new TextDecoder().decode(stderr)}`,
    );
  }
}

/**
 * Writes static/build/<Name>.js for each island of the chat page's bundle: a module that
 * re-exports it as its default, so /build/<Name>.js is every island's module still (a page's
 * preload hints name it).
 */
async function writeChatPageModules(): Promise<void> {
  for (const name of await chatPageIslands()) {
    await Deno.writeTextFile(
      new URL(`${name}.js`, BUILD_DIR),
      `export{${name} as default}from"./${CHAT_PAGE_BUNDLE}";`,
    );
  }
}

/**
 * Writes `<file>.gz` next to every script and stylesheet, at the highest level, once per build:
 * the static route serves them to browsers that accept gzip, with no compression per request.
 */
async function precompress(dir: URL): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) await precompress(url);
    else if (/\.(js|css)$/.test(entry.name)) {
      const gzipped = gzipSync(await Deno.readFile(url), { level: 9 });
      await Deno.writeFile(new URL(`${entry.name}.gz`, dir), gzipped);
    }
  }
}

/** Builds every asset from scratch. */
export async function buildAssets(): Promise<void> {
  await withBuildLock(buildUnlocked);
}

async function buildUnlocked(): Promise<void> {
  await Deno.remove(BUILD_DIR, { recursive: true }).catch(() => {});
  await Deno.mkdir(BUILD_DIR, { recursive: true });
  await Promise.all([run(await bundleArgs()), run(tailwindArgs())]);
  await writeChatPageModules();
  await precompress(BUILD_DIR);
  await Deno.writeTextFile(STAMP, new Date().toISOString());
}

/** Held while a build writes static/build/ (see build_lock.ts). */
const LOCK_DIR = new URL("static/.build-lock/", ROOT);

/**
 * Runs `build` while no other process builds. `deno test --parallel` runs test files in several
 * processes, and each browser test calls `ensureAssets`: without the lock, one process deleted
 * static/build/ while another's browser was loading the bundles from it.
 */
function withBuildLock<T>(build: () => Promise<T>): Promise<T> {
  return withDirLock(LOCK_DIR, build);
}

async function newestMtime(url: URL): Promise<number> {
  const info = await Deno.stat(url).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory) return info.mtime?.getTime() ?? 0;
  let newest = 0;
  for await (const entry of Deno.readDir(url)) {
    const child = new URL(entry.name + (entry.isDirectory ? "/" : ""), url);
    newest = Math.max(newest, await newestMtime(child));
  }
  return newest;
}

/** True if the build output is missing or older than any source. */
export async function assetsAreStale(): Promise<boolean> {
  const built = await newestMtime(STAMP);
  if (built === 0) return true;
  const sources = await Promise.all([
    ...SOURCE_DIRS.map((dir) => newestMtime(new URL(`${dir}/`, ROOT))),
    ...SOURCE_FILES.map((file) => newestMtime(new URL(file, ROOT))),
  ]);
  return Math.max(...sources) > built;
}

/** Builds if stale; returns whether it built. Waits for a build another process is running. */
export async function ensureAssets(): Promise<boolean> {
  if (!(await assetsAreStale())) {
    // A build in progress elsewhere has written its stamp only at its end; none may be running.
    if (!(await Deno.stat(LOCK_DIR).catch(() => null))) return false;
  }
  return await withBuildLock(async () => {
    // Another process may have built while this one waited for the lock.
    if (!(await assetsAreStale())) return false;
    await buildUnlocked();
    return true;
  });
}

if (import.meta.main) {
  const started = performance.now();
  if (await writeManifest()) console.log(`Wrote ${MANIFEST_PATH}`);
  await buildAssets();
  console.log(`Built assets into static/build/ in ${Math.round(performance.now() - started)} ms`);
}
