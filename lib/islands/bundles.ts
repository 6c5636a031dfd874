/**
 * Which built file holds an island, relative to /build/: static/build/<Name>.js, or for an
 * island of the chat page's bundle (islands/runtime/chat_page.ts, see lib/assets/build.ts) that
 * bundle. The island's marker names it (`data-module`) so islands/runtime/boot.ts imports the
 * bundle itself, and a page preloads it once instead of a module per island.
 */
import * as chatPage from "../../islands/runtime/chat_page.ts";

/** The chat page's bundle, relative to /build/ (the build writes it there). */
export const CHAT_PAGE_BUNDLE = "runtime/chat_page.js";

const bundled: ReadonlySet<string> = new Set(Object.keys(chatPage));

/** The bundle holding island `name`, or null when it is built into /build/<name>.js alone. */
export function islandBundle(name: string): string | null {
  return bundled.has(name) ? CHAT_PAGE_BUNDLE : null;
}

/** The module scripts a page with these islands loads, relative to /build/: each once. */
export function islandModules(names: Iterable<string>): string[] {
  return [...new Set([...names].map((name) => islandBundle(name) ?? `${name}.js`))];
}
