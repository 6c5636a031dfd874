/**
 * How search sees text, the same for messages and for queries: NFKD, accents (combining marks)
 * stripped (then NFC: Hangul decomposes under NFKD), lower case, split on everything that is not a letter or a digit. Scripts written
 * without spaces (Han, Hiragana, Katakana, Hangul) are cut into character bigrams, so a word
 * inside a CJK sentence is found as the run of its bigrams; a lone CJK character is its own
 * token. URLs fall apart into their host and path parts (`example`, `com`, `path`).
 *
 * The Deno KV index keys messages by these tokens; PostgreSQL folds text the same way in SQL
 * (db/migrations/010_search.sql) and only uses this module to tell CJK terms apart.
 */
import { SEARCH_TOKEN_MAX_LENGTH } from "../limits.ts";

// Script extensions, so that marks shared by scripts (the Katakana prolonged sound mark ー) count.
const CJK = "\\p{scx=Han}\\p{scx=Hiragana}\\p{scx=Katakana}\\p{scx=Hangul}";
const RUNS = /[\p{L}\p{N}]+/gu;
const SEGMENTS = new RegExp(`[${CJK}]+|[^${CJK}]+`, "gu");
const HAS_CJK = new RegExp(`[${CJK}]`, "u");
const MARKS = /\p{M}+/gu;
/** What counts as a link for `has:link`. */
const LINK = /\bhttps?:\/\/[^\s/$.?#][^\s]*/i;

/** NFKD, no accents, lower case; NFC again after, so Hangul syllables are whole again. */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(MARKS, "").normalize("NFC").toLowerCase();
}

/**
 * The tokens of a text, in order (repeats kept: phrases need positions).
 *
 * @example
 * ```ts
 * tokenize("Café https://example.com/a 東京タワー"); // ["cafe", "https", "example", "com", "a", "東京", "京タ", "タワ", "ワー"]
 * ```
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const run of fold(text).match(RUNS) ?? []) {
    for (const segment of run.match(SEGMENTS) ?? []) {
      if (!HAS_CJK.test(segment)) {
        tokens.push(segment.slice(0, SEARCH_TOKEN_MAX_LENGTH));
        continue;
      }
      const chars = [...segment];
      if (chars.length === 1) tokens.push(segment);
      for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i] + chars[i + 1]);
    }
  }
  return tokens;
}

/** True if the text has a character of a script written without spaces. */
export function hasCjk(text: string): boolean {
  return HAS_CJK.test(text);
}

/** True if the text holds an http(s) link. */
export function hasLink(text: string): boolean {
  return LINK.test(text);
}

/** True if `sequence` occurs, contiguous and in order, in `tokens`. */
export function containsSequence(tokens: readonly string[], sequence: readonly string[]): boolean {
  if (sequence.length === 0) return true;
  outer: for (let i = 0; i + sequence.length <= tokens.length; i++) {
    for (let j = 0; j < sequence.length; j++) {
      if (tokens[i + j] !== sequence[j]) continue outer;
    }
    return true;
  }
  return false;
}
