/**
 * Draws an image's placeholder from its thumbhash (API.md: `placeholder`, base64): a tiny PNG
 * as a data URL (placeholder.ts uses it). The server installs it for its pages; the browser
 * imports it (~1.2 KB gzip, its own chunk) only for an image that appears after the page's
 * hydration: those in the page's HTML already have theirs.
 *
 * thumbhash decodes to at most 32 px a side, as an uncompressed PNG (~4 KB of base64); the
 * picture holds no detail finer than a few pixels at that size, so it is averaged down to at
 * most 16 px a side first (~1 KB): the page's HTML carries one per image.
 */
import { rgbaToDataURL, thumbHashToRGBA } from "thumbhash";

/** The placeholder PNG's longest side, at most. */
export const PLACEHOLDER_MAX_SIDE = 16;

/** The data URL of a thumbhash's picture; null for one that is not valid base64 or thumbhash. */
export function decodePlaceholder(hash: string): string | null {
  try {
    const bytes = Uint8Array.from(atob(hash), (char) => char.charCodeAt(0));
    if (bytes.length < 5) return null;
    const image = thumbHashToRGBA(bytes);
    const small = shrink(image.w, image.h, image.rgba, PLACEHOLDER_MAX_SIDE);
    return rgbaToDataURL(small.w, small.h, small.rgba);
  } catch {
    return null;
  }
}

/** Averages `rgba` down by a whole factor so that neither side exceeds `max`. */
export function shrink(
  w: number,
  h: number,
  rgba: Uint8Array,
  max: number,
): { w: number; h: number; rgba: Uint8Array } {
  const factor = Math.ceil(Math.max(w, h) / max);
  if (factor <= 1) return { w, h, rgba };
  const sw = Math.ceil(w / factor);
  const sh = Math.ceil(h / factor);
  const out = new Uint8Array(sw * sh * 4);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const sums = [0, 0, 0, 0];
      let count = 0;
      for (let dy = 0; dy < factor && y * factor + dy < h; dy++) {
        for (let dx = 0; dx < factor && x * factor + dx < w; dx++) {
          const at = ((y * factor + dy) * w + x * factor + dx) * 4;
          for (let c = 0; c < 4; c++) sums[c] += rgba[at + c];
          count++;
        }
      }
      for (let c = 0; c < 4; c++) out[(y * sw + x) * 4 + c] = Math.round(sums[c] / count);
    }
  }
  return { w: sw, h: sh, rgba: out };
}
