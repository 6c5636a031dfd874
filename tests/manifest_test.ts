/** fresh.gen.ts, the generated manifest of route modules and islands, and its generator. */
import assert from "node:assert/strict";
import manifest from "../fresh.gen.ts";
import { manifestProblem, scanManifest, writeManifest } from "../lib/assets/manifest.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("fresh.gen.ts - the committed manifest is current", async () => {
  assert.equal(await manifestProblem(), null);
});

Deno.test("fresh.gen.ts - lists every islands/<Name>.tsx by name, with its component", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL("islands/", ROOT))) {
    if (entry.isFile && /^[A-Z]\w*\.tsx$/.test(entry.name)) files.push(entry.name.slice(0, -4));
  }
  assert.deepEqual(Object.keys(manifest.islands).sort(), files.sort());
  for (const [name, module] of Object.entries(manifest.islands)) {
    assert.equal(typeof module.default, "function", `${name} has a default export`);
  }
});

/** The modules routes/app.ts reaches through relative imports (a route mounted in a route). */
async function reachedFromApp(): Promise<Set<string>> {
  const reached = new Set<string>();
  const pending = [new URL("routes/app.ts", ROOT).href];
  while (pending.length > 0) {
    const href = pending.pop()!;
    if (reached.has(href) || !href.startsWith(new URL("routes/", ROOT).href)) continue;
    reached.add(href);
    const source = await Deno.readTextFile(new URL(href));
    for (const [, path] of source.matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
      pending.push(new URL(path, href).href);
    }
  }
  return reached;
}

Deno.test("fresh.gen.ts - every route module loads and is mounted from routes/app.ts", async () => {
  const reached = await reachedFromApp();
  const routes = Object.entries(manifest.routes);
  assert.ok(routes.length > 0);
  for (const [path, load] of routes) {
    const module: Record<string, unknown> = await load();
    assert.ok(Object.values(module).some((value) => typeof value === "function"), path);
    assert.ok(reached.has(new URL(path, ROOT).href), `app.ts reaches ${path}`);
  }
});

Deno.test("manifest check - names an island added or a route module removed since the write", async () => {
  const root = new URL(`file://${await Deno.makeTempDir({ prefix: "salon_manifest_" })}/`);
  const write = async (path: string, text: string) => {
    await Deno.mkdir(new URL(path.replace(/[^/]+$/, ""), root), { recursive: true });
    await Deno.writeTextFile(new URL(path, root), text);
  };
  try {
    await write("islands/Clock.tsx", "export default function Clock() {}\n");
    await write("islands/runtime/helper.ts", "export const helper = 1;\n");
    await write("islands/shared/Badge.tsx", "export function Badge() {}\n");
    await write("routes/app.ts", "const app = new Hono();\n");
    await write("routes/pages/home.tsx", "export const home = () => new Hono();\n");
    await write("routes/pages/helper.ts", "export const notARoute = 1;\n");
    await write("routes/middleware/auth.ts", "export const sub = () => new Hono();\n");
    assert.deepEqual(await scanManifest(root), {
      routes: ["routes/pages/home.tsx"],
      islands: ["Clock"],
    });
    assert.equal(await writeManifest(root), true);
    assert.equal(await manifestProblem(root), null);
    assert.equal(await writeManifest(root), false, "an unchanged manifest is not rewritten");

    await write("islands/Timer.tsx", "export default function Timer() {}\n");
    await Deno.remove(new URL("routes/pages/home.tsx", root));
    const problem = await manifestProblem(root);
    assert.match(problem ?? "", /^fresh\.gen\.ts is not current: run `deno task build`/);
    assert.match(problem ?? "", /\+ import \* as \$Timer from "\.\/islands\/Timer\.tsx";/);
    assert.match(problem ?? "", /- .*"\.\/routes\/pages\/home\.tsx"/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("manifest check - the command exits 1 with the reason when the manifest is missing", async () => {
  const root = await Deno.makeTempDir({ prefix: "salon_manifest_cli_" });
  try {
    await Deno.mkdir(`${root}/lib/assets`, { recursive: true });
    await Deno.mkdir(`${root}/islands`);
    await Deno.mkdir(`${root}/routes`);
    await Deno.copyFile(new URL("lib/assets/manifest.ts", ROOT), `${root}/lib/assets/manifest.ts`);
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "lib/assets/manifest.ts", "--check"],
      cwd: root,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 1);
    assert.match(
      new TextDecoder().decode(stderr),
      /fresh\.gen\.ts is missing: run `deno task build`/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
