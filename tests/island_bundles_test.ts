/**
 * The chat page's islands in one bundle (islands/runtime/chat_page.ts): the build and the
 * server read the same list, each island's /build/<Name>.js re-exports it from the bundle, and
 * pages preload the bundle once instead of a module per island.
 */
import assert from "node:assert/strict";
import manifest from "../fresh.gen.ts";
import * as chatPage from "../islands/runtime/chat_page.ts";
import { BUILD_DIR, chatPageIslands, ensureAssets } from "../lib/assets/build.ts";
import { CHAT_PAGE_BUNDLE, islandBundle, islandModules } from "../lib/islands/bundles.ts";

Deno.test("island bundles - the build reads the chat page's islands as the server does", async () => {
  const listed = await chatPageIslands();
  assert.deepEqual([...listed].sort(), Object.keys(chatPage).sort());
  assert.ok(listed.includes("MessageList"));
  for (const name of listed) {
    assert.ok(name in manifest.islands, `${name} is an island`);
    assert.equal(
      chatPage[name as keyof typeof chatPage],
      manifest.islands[name as keyof typeof manifest.islands].default,
    );
  }
});

Deno.test("island bundles - an island of the bundle is loaded from it, once per page", () => {
  assert.equal(islandBundle("MessageList"), CHAT_PAGE_BUNDLE);
  assert.equal(islandBundle("ThemeToggle"), null);
  assert.deepEqual(islandModules(["MessageList", "ThemeToggle", "ChannelNav"]), [
    CHAT_PAGE_BUNDLE,
    "ThemeToggle.js",
  ]);
});

Deno.test("island bundles - each island's file re-exports it from the bundle", async () => {
  await ensureAssets();
  const bundle = await Deno.readTextFile(new URL(CHAT_PAGE_BUNDLE, BUILD_DIR));
  assert.ok(bundle.length > 10_000);
  for (const name of await chatPageIslands()) {
    const file = await Deno.readTextFile(new URL(`${name}.js`, BUILD_DIR));
    assert.equal(file, `export{${name} as default}from"./${CHAT_PAGE_BUNDLE}";`);
  }
});
