/**
 * Which strings are emoji a reaction may use: one Unicode emoji as emojibase-data knows it
 * (every emoji of the Unicode version it follows, skin tones and ZWJ sequences included), in
 * the canonical form of emoji_form.ts, or `:name:` of one of the server's custom emoji.
 *
 * Why emojibase-data: a maintained dataset (Unicode's own lists, rebuilt per release) that
 * ships a flat list of every emoji string (meta/unicode.json, 77 KB) the server loads once, and
 * the names and shortcodes a picker needs in the same package (for the islands, loaded only
 * when the picker opens). @emoji-mart/data has no flat list and one skin-tone table per emoji.
 */
import unicodeEmoji from "emojibase-data/meta/unicode.json" with { type: "json" };
import { Invalid } from "../errors.ts";
import { EMOJI_INPUT_MAX } from "../limits.ts";
import { canonicalForm, isCustomEmojiRef } from "./emoji_form.ts";

export { canonicalForm, isCustomEmojiRef } from "./emoji_form.ts";

/** Every emoji in canonical form (the dataset lists each with and without its selectors). */
const KNOWN: ReadonlySet<string> = new Set((unicodeEmoji as string[]).map(canonicalForm));

/** True if `canonical` is one Unicode emoji (already in canonical form). */
export function isUnicodeEmoji(canonical: string): boolean {
  return KNOWN.has(canonical);
}

function invalidEmoji(raw: string): Invalid {
  return new Invalid(
    "invalid_emoji",
    `"${
      raw.slice(0, EMOJI_INPUT_MAX)
    }" is not an emoji: use one Unicode emoji or :name: of this server's custom emoji.`,
  );
}

/**
 * The canonical form of an emoji from a request (a URL path segment, already decoded), or
 * `400 invalid_emoji`. `customNames` are the server's custom emoji names (checked only for a
 * `:name:`, so a Unicode reaction costs no read).
 */
export async function canonicalEmoji(
  raw: string,
  customNames: () => Promise<ReadonlySet<string>>,
): Promise<string> {
  if (raw.length === 0 || raw.length > EMOJI_INPUT_MAX) throw invalidEmoji(raw);
  if (raw.startsWith(":")) {
    if (!isCustomEmojiRef(raw) || !(await customNames()).has(raw.slice(1, -1))) {
      throw invalidEmoji(raw);
    }
    return raw;
  }
  const canonical = canonicalForm(raw);
  if (!isUnicodeEmoji(canonical)) throw invalidEmoji(raw);
  return canonical;
}
