/**
 * How a message's files show, from their metadata alone: which are inline images, the box an
 * image takes before it loads (its final size: no jump), and a file's size in words.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  displayBox,
  formatBytes,
  IMAGE_BOX_MAX_HEIGHT,
  IMAGE_BOX_MAX_WIDTH,
  isInlineImage,
} from "../islands/attachments/sizing.ts";

Deno.test("displayBox - scales down to 400×300 keeping the ratio, never up", () => {
  assert.deepEqual(displayBox(4000, 3000), { width: 400, height: 300 });
  assert.deepEqual(displayBox(1000, 250), { width: 400, height: 100 }, "wide: width bound");
  assert.deepEqual(displayBox(300, 1200), { width: 75, height: 300 }, "tall: height bound");
  assert.deepEqual(displayBox(120, 80), { width: 120, height: 80 }, "small: as it is");
  assert.deepEqual(displayBox(10000, 1), { width: 400, height: 1 }, "a side never below 1 px");
});

Deno.test("displayBox - always within the bounds, ratio kept to the rounding", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 1, max: 20000 }), (w, h) => {
      const box = displayBox(w, h);
      assert.ok(box.width >= 1 && box.width <= Math.min(w, IMAGE_BOX_MAX_WIDTH));
      assert.ok(box.height >= 1 && box.height <= Math.min(h, IMAGE_BOX_MAX_HEIGHT));
      // One side is at its bound (or the image is small enough to show as it is).
      const fits = w <= IMAGE_BOX_MAX_WIDTH && h <= IMAGE_BOX_MAX_HEIGHT;
      if (fits) assert.deepEqual(box, { width: w, height: h });
      else assert.ok(box.width === IMAGE_BOX_MAX_WIDTH || box.height === IMAGE_BOX_MAX_HEIGHT);
      if (box.width > 20 && box.height > 20) {
        assert.ok(Math.abs(box.width / box.height - w / h) / (w / h) < 0.05);
      }
    }),
  );
});

Deno.test("formatBytes - bytes, then KiB, MiB, GiB", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1 KiB");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(10 * 1024 + 300), "10 KiB");
  assert.equal(formatBytes(1024 * 1024 - 1), "1 MiB", "1023.999 KiB does not say 1024 KiB");
  assert.equal(formatBytes(25 * 1024 * 1024), "25 MiB");
  assert.equal(formatBytes(3.25 * 1024 ** 3), "3.3 GiB");
});

Deno.test("isInlineImage - the four image types with known dimensions only", () => {
  const file = (contentType: string, width: number | null = 10, height: number | null = 10) => ({
    contentType,
    width,
    height,
  });
  for (const type of ["image/png", "image/jpeg", "image/webp", "image/gif"]) {
    assert.equal(isInlineImage(file(type)), true, type);
  }
  assert.equal(isInlineImage(file("image/svg+xml")), false, "SVG is a file card");
  assert.equal(isInlineImage(file("application/pdf")), false);
  assert.equal(isInlineImage(file("image/png", null, null)), false, "no size: a card");
});
