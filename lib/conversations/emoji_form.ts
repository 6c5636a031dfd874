/**
 * The one canonical form of a Unicode emoji (pure: islands use it too, to match the server's
 * reactions to their own clicks). NFC, and every variation selector removed: "❤️" (with U+FE0F)
 * and "❤" are one reaction — the bug Element users still report comes from keeping both.
 * U+FE0E (text presentation) goes too: it asks for a rendering, it names no other emoji.
 */

/** The canonical form of `raw` (not checked to be an emoji: see emoji.ts). */
export function canonicalForm(raw: string): string {
  return raw.normalize("NFC").replace(/[\uFE0E\uFE0F]/g, "");
}

/** True for the `:name:` form of a custom emoji (`[a-z0-9_]{2,32}`). */
export function isCustomEmojiRef(emoji: string): boolean {
  return /^:[a-z0-9_]{2,32}:$/.test(emoji);
}
