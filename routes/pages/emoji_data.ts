/**
 * GET /emoji-data.json: the emoji picker's data, fetched by the islands only when the picker
 * (or `:shortcode:` completion) first needs it, so the chat page's scripts stay within their
 * budget. Built once per process from emojibase-data (the package lib/conversations/emoji.ts
 * checks reactions against): each emoji in canonical form with its name, shortcodes and
 * keywords, in Unicode's order, skin-tone variants and bare components left out. Sent gzipped
 * (built once) and cacheable: it changes only with the package.
 */
import { Hono } from "hono";
import { gzipSync } from "node:zlib";
import { canonicalForm } from "../../lib/conversations/emoji_form.ts";
import type { PickerEmoji } from "../../islands/runtime/emoji_data.ts";

/** emojibase's "component" group (skin tones, hair): not emoji one reacts with. */
const COMPONENT_GROUP = 2;

interface CompactEmoji {
  unicode: string;
  label: string;
  group?: number;
  order?: number;
  hexcode: string;
  tags?: string[];
}

let built: Promise<{ json: string; gzip: Uint8Array }> | undefined;

async function build(): Promise<{ json: string; gzip: Uint8Array }> {
  const [{ default: compact }, { default: shortcodes }] = await Promise.all([
    import("emojibase-data/en/compact.json", { with: { type: "json" } }),
    import("emojibase-data/en/shortcodes/emojibase.json", { with: { type: "json" } }),
  ]);
  const codes = shortcodes as Record<string, string | string[]>;
  const list: PickerEmoji[] = (compact as CompactEmoji[])
    .filter((emoji) => emoji.group !== undefined && emoji.group !== COMPONENT_GROUP)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((emoji) => {
      const names = codes[emoji.hexcode] ?? [];
      return [
        canonicalForm(emoji.unicode),
        emoji.label,
        (Array.isArray(names) ? names : [names]).join(" "),
        (emoji.tags ?? []).join(" "),
      ];
    });
  const json = JSON.stringify(list);
  return { json, gzip: gzipSync(new TextEncoder().encode(json), { level: 9 }) };
}

/** The route (mounted at the root, before the chat pages). */
export function emojiData() {
  const app = new Hono();
  app.get("/emoji-data.json", async (c) => {
    const { json, gzip } = await (built ??= build());
    c.header("Cache-Control", "public, max-age=86400");
    c.header("Vary", "Accept-Encoding");
    if (/\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "")) {
      c.header("Content-Encoding", "gzip");
      c.header("Content-Type", "application/json; charset=utf-8");
      return c.body(gzip.slice().buffer);
    }
    return c.body(json, 200, { "Content-Type": "application/json; charset=utf-8" });
  });
  return app;
}
