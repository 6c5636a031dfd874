/**
 * Reading a search query in the browser (API.md's Search): the words and "phrases" it looks
 * for, which the results highlight, and the filter being typed at the caret (`from:`, `in:`…),
 * for which the box offers values. The server parses the query for real and refuses a bad one;
 * this only needs to agree with it on what a word and a filter look like. Pure, tested alone.
 */

/** Filters whose values the box offers as they are typed. */
export const OFFERED_FILTERS = ["from", "mentions", "in", "has", "is"] as const;
export type OfferedFilter = typeof OFFERED_FILTERS[number];

/** Every filter of the query language, for the hints shown in an empty box. */
export const FILTER_HINTS = [
  "from:",
  "mentions:",
  "in:",
  "has:",
  "is:pinned",
  "before:",
  "after:",
] as const;

const FILTER_KEYS = new Set([...OFFERED_FILTERS, "before", "after"]);
/** A token: an optional `-`, then a "phrase" (its closing quote optional) or a run of non-space. */
const TOKEN = /(-?)(?:"([^"]*)"?|(\S+))/g;
const WORDS = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * What the results should highlight: the words of the query's words and phrases (the server
 * matches whole words, split on what is not a letter or a digit), lower case, once each;
 * filters and excluded (`-word`) terms aside.
 */
export function highlightTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const [, minus, phrase, word] of query.matchAll(TOKEN)) {
    if (minus) continue;
    const colon = word?.indexOf(":") ?? -1;
    if (colon > 0 && FILTER_KEYS.has(word.slice(0, colon).toLowerCase())) continue;
    for (const run of (phrase ?? word).toLowerCase().match(WORDS) ?? []) terms.add(run);
  }
  return [...terms];
}

/** A filter being typed: which, its value so far, and where that value starts and ends. */
export interface FilterToken {
  filter: OfferedFilter;
  value: string;
  /** Where the value starts (after the colon). */
  start: number;
  /** Where the token ends (the caret, or further when the caret is inside it). */
  end: number;
}

const FILTER_AT = new RegExp(`(?:^|\\s)-?(${OFFERED_FILTERS.join("|")}):([^\\s"]*)$`, "i");

/** The filter the caret is at the end (or inside) of, or null. */
export function filterAt(text: string, caret: number): FilterToken | null {
  const match = FILTER_AT.exec(text.slice(0, caret));
  if (!match) return null;
  const rest = /^\S*/.exec(text.slice(caret))![0];
  return {
    filter: match[1].toLowerCase() as OfferedFilter,
    value: match[2],
    start: caret - match[2].length,
    end: caret + rest.length,
  };
}

/** The text with the token's value replaced by `value` and one space, and the caret after it. */
export function applyFilterValue(
  text: string,
  token: FilterToken,
  value: string,
): { text: string; caret: number } {
  const rest = text.slice(token.end).replace(/^\s*/, "");
  const before = `${text.slice(0, token.start)}${value} `;
  return { text: before + rest, caret: before.length };
}

/** The text with a hint (e.g. `from:`) appended after what is there, and the caret after it. */
export function appendHint(text: string, hint: string): { text: string; caret: number } {
  const trimmed = text.replace(/\s+$/, "");
  // A complete filter (`is:pinned`) ends with a space; one waiting for its value does not.
  const next = `${trimmed}${trimmed ? " " : ""}${hint}${hint.endsWith(":") ? "" : " "}`;
  return { text: next, caret: next.length };
}
