/**
 * How a message shows its files, worked out from their metadata alone (no image needs to load):
 * which are images shown inline, the box an image takes on screen (its final size, so the list
 * does not jump when it loads), and a file's size in words.
 */
import type { WireAttachment } from "../../lib/realtime/protocol.ts";

/** An inline image is at most this wide and this tall on screen (narrower on a phone). */
export const IMAGE_BOX_MAX_WIDTH = 400;
export const IMAGE_BOX_MAX_HEIGHT = 300;

/** The types the server shows inline (API.md "Attachments"); anything else is a file card. */
const INLINE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

export interface Box {
  width: number;
  height: number;
}

/** An image shown inline: one of the inline types, with the dimensions the server measured. */
export function isInlineImage(
  file: Pick<WireAttachment, "contentType" | "width" | "height">,
): boolean {
  return INLINE_TYPES.has(file.contentType) && !!file.width && !!file.height;
}

/**
 * The on-screen box of a `width`×`height` image: scaled down (never up) to fit within
 * `maxWidth`×`maxHeight`, keeping its aspect ratio; each side at least 1 px.
 */
export function displayBox(
  width: number,
  height: number,
  maxWidth = IMAGE_BOX_MAX_WIDTH,
  maxHeight = IMAGE_BOX_MAX_HEIGHT,
): Box {
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

const UNITS = ["KiB", "MiB", "GiB", "TiB"];

/** `bytes` for a reader: `512 B`, `1.5 KiB`, `25 MiB` (one decimal below 10, none above). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.96 KiB rounds to 1024: say 1 MiB instead.
  if (shown >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${shown} ${UNITS[unit]}`;
}
