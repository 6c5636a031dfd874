/**
 * A message's files as the server renders them (the page without JavaScript shows the same):
 * an image in a box of its final size with its thumbhash placeholder under it, lazy, linked to
 * the file; a file card with name, size and a Download link. And the placeholder itself: a
 * PNG of at most 16 px a side, or none for a hash that is not one.
 */
import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { rgbaToThumbHash } from "thumbhash";
import "../islands/attachments/placeholder_server.ts";
import { MessageAttachments } from "../islands/attachments/MessageAttachments.tsx";
import {
  decodePlaceholder,
  PLACEHOLDER_MAX_SIDE,
} from "../islands/attachments/placeholder_decode.ts";
import type { WireAttachment } from "../lib/realtime/protocol.ts";

/** A thumbhash (base64) of a w×h picture, red on the left, blue on the right. */
function thumbhashOf(w: number, h: number): string {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const left = i % w < w / 2;
    rgba.set([left ? 220 : 20, 40, left ? 20 : 220, 255], i * 4);
  }
  return btoa(String.fromCharCode(...rgbaToThumbHash(w, h, rgba)));
}

/** The width and height in a PNG data URL's IHDR. */
function pngSize(url: string): { w: number; h: number } {
  const bytes = Uint8Array.from(atob(url.split(",")[1]), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  return { w: view.getUint32(16), h: view.getUint32(20) };
}

const image: WireAttachment = {
  id: "a1",
  filename: "sunset.png",
  contentType: "image/png",
  size: 123_456,
  width: 1600,
  height: 1200,
  placeholder: thumbhashOf(80, 60),
  url: "/files/a1/sunset.png",
  thumbnailUrl: "/files/a1/thumbnail.webp",
};
const notes: WireAttachment = {
  id: "a2",
  filename: "notes.pdf",
  contentType: "application/pdf",
  size: 2_621_440,
  width: null,
  height: null,
  placeholder: null,
  url: "/files/a2/notes.pdf",
  thumbnailUrl: null,
};

Deno.test("placeholder - a thumbhash becomes a PNG of at most 16 px a side", () => {
  const url = decodePlaceholder(thumbhashOf(80, 60));
  assert.ok(url?.startsWith("data:image/png;base64,"));
  const { w, h } = pngSize(url!);
  assert.ok(w <= PLACEHOLDER_MAX_SIDE && h <= PLACEHOLDER_MAX_SIDE, `${w}×${h}`);
  assert.ok(w > h, "the picture's landscape shape is kept");
  assert.ok(url!.length < 1500, `${url!.length} characters in the page's HTML per image`);
  assert.equal(decodePlaceholder("not base64!"), null);
  assert.equal(decodePlaceholder(""), null);
});

Deno.test("MessageAttachments - server-rendered: the image's final box, placeholder, lazy", () => {
  const html = renderToString(
    <MessageAttachments messageId="m1" files={[image, notes]} hydrated={false} />,
  );
  const box = /<a [^>]*data-image-box[^>]*>/.exec(html)?.[0] ?? "";
  assert.match(box, /href="\/files\/a1\/sunset.png"/, "without JS: a link to the full image");
  assert.doesNotMatch(html, /style=/, "the page's policy allows no inline style");
  const placeholder = /<img [^>]*data-placeholder[^>]*>/.exec(html)?.[0] ?? "";
  assert.match(placeholder, /src="data:image\/png;base64,/);
  assert.match(placeholder, /\salt(="")?\s/, "decorative");
  const img = /<img (?![^>]*data-placeholder)[^>]*>/.exec(html)?.[0] ?? "";
  assert.match(img, /src="\/files\/a1\/thumbnail.webp"/);
  assert.match(img, /alt="sunset.png"/);
  assert.match(img, /width="400"/);
  assert.match(img, /height="300"/);
  assert.match(img, /loading="lazy"/);
  // The PDF: a card with its name, size and a Download link.
  const card = /<div [^>]*data-file-card[^>]*>.*?<\/div><\/div>|<div [^>]*data-file-card.*$/s
    .exec(html)?.[0] ?? "";
  assert.match(card, /notes.pdf/);
  assert.match(card, /2.5 MiB/);
  assert.match(
    html,
    /<a href="\/files\/a2\/notes.pdf" download="notes.pdf" aria-label="Download notes.pdf"/,
  );
});

Deno.test("MessageAttachments - an image without a usable placeholder is a plain tinted box", () => {
  const html = renderToString(
    <MessageAttachments
      messageId="m1"
      files={[{ ...image, placeholder: "%%%" }]}
      hydrated={false}
    />,
  );
  assert.doesNotMatch(html, /src="data:/);
  assert.match(html, /width="400"/);
});
