/**
 * What an upload is, read from its first bytes (never from its name or the Content-Type it came
 * with): an image Salon shows inline (PNG, JPEG, WebP, GIF: lib/images.ts), text, or another
 * kind of file. Only the inline images are ever served as what they are; everything else goes
 * out as a download (routes/files.ts), text as `text/plain; charset=utf-8` whatever markup it
 * holds, so an HTML or SVG file never runs in Salon's origin.
 */
import { IMAGE_TYPES, type ImageType, sniffImageType } from "../images.ts";

export type FileKind =
  | { kind: "image"; contentType: ImageType }
  | { kind: "text"; contentType: "text/plain" | "text/html" | "image/svg+xml" | "text/xml" }
  | { kind: "binary"; contentType: string };

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** Signatures of common files that are not inline images (their type is informative only). */
const SIGNATURES: { type: string; bytes: number[]; offset?: number }[] = [
  { type: "application/pdf", bytes: ascii("%PDF-") },
  { type: "application/zip", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: "application/gzip", bytes: [0x1f, 0x8b] },
  { type: "application/x-7z-compressed", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: "video/mp4", bytes: ascii("ftyp"), offset: 4 },
  { type: "video/webm", bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { type: "audio/ogg", bytes: ascii("OggS") },
  { type: "audio/mpeg", bytes: ascii("ID3") },
  { type: "audio/wav", bytes: ascii("WAVE"), offset: 8 },
];

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length &&
    signature.every((byte, i) => bytes[offset + i] === byte);
}

/** The kind of file whose first bytes are `head` (ATTACHMENT_SNIFF_BYTES, or all of a small one). */
export function sniffFile(head: Uint8Array, complete: boolean): FileKind {
  const image = sniffImageType(head);
  if (image) return { kind: "image", contentType: image };
  for (const { type, bytes, offset } of SIGNATURES) {
    if (startsWith(head, bytes, offset)) return { kind: "binary", contentType: type };
  }
  const text = asText(head, complete);
  if (text === null) return { kind: "binary", contentType: "application/octet-stream" };
  // Markup is named for what it is (the client may label it), but still served as plain text.
  const start = text.replace(/^\uFEFF/, "").trimStart().slice(0, 512).toLowerCase();
  if (/<svg[\s>]/.test(start)) return { kind: "text", contentType: "image/svg+xml" };
  if (/^<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<script[\s>]/.test(start)) {
    return { kind: "text", contentType: "text/html" };
  }
  if (start.startsWith("<?xml")) return { kind: "text", contentType: "text/xml" };
  return { kind: "text", contentType: "text/plain" };
}

/**
 * The head as UTF-8 text, or null if it is not text (invalid UTF-8, a NUL or other control
 * characters but tab, line breaks and form feed). A character cut by the end of the head counts.
 */
function asText(head: Uint8Array, complete: boolean): string | null {
  if (head.length === 0) return null;
  let bytes = head;
  if (!complete) {
    // Drop a multi-byte character the head cut in two (at most 3 bytes of it).
    let end = bytes.length;
    for (let i = 1; i <= 3 && end - i >= 0; i++) {
      const byte = bytes[end - i];
      if ((byte & 0xc0) === 0xc0) {
        end -= i;
        break;
      }
      if ((byte & 0x80) === 0) break;
    }
    bytes = bytes.subarray(0, end);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // deno-lint-ignore no-control-regex
  return /[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(text) ? null : text;
}

/** What a file is served as: inline images as themselves, text as UTF-8 plain text. */
export function servedContentType(contentType: string): string {
  if (isInlineImage(contentType)) return contentType;
  if (contentType.startsWith("text/") || contentType === "image/svg+xml") {
    return "text/plain; charset=utf-8";
  }
  return contentType;
}

/** Shown in the page (never SVG: it may hold script). */
export function isInlineImage(contentType: string): boolean {
  return (IMAGE_TYPES as readonly string[]).includes(contentType);
}
