/**
 * Image checks for avatars: the type comes from the bytes (magic numbers), never from a file
 * name or a claimed Content-Type, and a truncated file is refused.
 */

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export type ImageType = typeof IMAGE_TYPES[number];

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

function endsWith(bytes: Uint8Array, signature: number[]): boolean {
  return startsWith(bytes, signature, bytes.length - signature.length);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The image type the bytes really are, or null if they are none of the accepted ones. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, [0x89, ...ascii("PNG\r\n"), 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  return null;
}

/** True if the file ends where its format says it ends (no truncated upload). */
export function isCompleteImage(type: ImageType, bytes: Uint8Array): boolean {
  switch (type) {
    case "image/png": // the IEND chunk: length 0, type, CRC
      return endsWith(bytes, [0, 0, 0, 0, ...ascii("IEND"), 0xae, 0x42, 0x60, 0x82]);
    case "image/jpeg": // end-of-image marker
      return endsWith(bytes, [0xff, 0xd9]);
    case "image/gif": // trailer byte
      return endsWith(bytes, [0x3b]);
    case "image/webp": { // RIFF size field counts everything after the first 8 bytes
      const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
        4,
        true,
      );
      return size + 8 === bytes.length || size + 9 === bytes.length; // odd sizes are padded
    }
  }
}

const PALETTE = ["#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#1abc9c", "#9b59b6"];

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A generated avatar: the user's initial on a colour derived from their id. */
export function defaultAvatarSvg(id: string, name: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const color = PALETTE[hash % PALETTE.length];
  const initial = escapeXml(([...name.trim()][0] ?? "?").toUpperCase());
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128" width="128" height="128">` +
    `<rect width="128" height="128" fill="${color}"/>` +
    `<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" ` +
    `font-size="64" font-weight="600" fill="#fff">${initial}</text></svg>`;
}
