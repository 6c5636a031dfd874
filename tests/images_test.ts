import assert from "node:assert/strict";
import { defaultAvatarSvg, isCompleteImage, sniffImageType } from "../lib/images.ts";
import { GIF_1X1, JPEG_MIN, PNG_1X1 } from "./helpers/fixtures.ts";

function webp(extra: number): Uint8Array {
  const bytes = new Uint8Array(12 + extra);
  bytes.set([..."RIFF"].map((c) => c.charCodeAt(0)));
  new DataView(bytes.buffer).setUint32(4, bytes.length - 8, true);
  bytes.set([..."WEBP"].map((c) => c.charCodeAt(0)), 8);
  return bytes;
}

Deno.test("sniffImageType - from magic bytes only", () => {
  assert.equal(sniffImageType(PNG_1X1), "image/png");
  assert.equal(sniffImageType(GIF_1X1), "image/gif");
  assert.equal(sniffImageType(JPEG_MIN), "image/jpeg");
  assert.equal(sniffImageType(webp(10)), "image/webp");
  assert.equal(sniffImageType(new TextEncoder().encode("<svg onload=alert(1)>")), null);
  assert.equal(sniffImageType(new Uint8Array()), null);
});

Deno.test("isCompleteImage - detects truncated files", () => {
  assert.ok(isCompleteImage("image/png", PNG_1X1));
  assert.ok(!isCompleteImage("image/png", PNG_1X1.slice(0, -1)));
  assert.ok(isCompleteImage("image/gif", GIF_1X1));
  assert.ok(!isCompleteImage("image/gif", GIF_1X1.slice(0, -1)));
  assert.ok(isCompleteImage("image/jpeg", JPEG_MIN));
  assert.ok(!isCompleteImage("image/jpeg", JPEG_MIN.slice(0, -1)));
  const full = webp(10);
  assert.ok(isCompleteImage("image/webp", full));
  assert.ok(!isCompleteImage("image/webp", full.slice(0, -4)));
});

Deno.test("defaultAvatarSvg - escapes the initial and is stable per user", () => {
  const svg = defaultAvatarSvg("id-1", "<script>");
  assert.match(svg, />&#60;<\/text>/);
  assert.doesNotMatch(svg, /<script/);
  assert.equal(defaultAvatarSvg("id-1", "zed"), defaultAvatarSvg("id-1", "zed"));
  assert.match(defaultAvatarSvg("id-2", ""), />\?<\/text>/);
});
