/**
 * Highlighting a search's words in a result (each in a <mark>), whole words, case and accents
 * ignored, as the search matches them (lib/search/text.ts), and the excerpt of a long message around its first match. Works on the
 * markdown renderer's elements (islands/shared/markdown.tsx), never on HTML strings, so user
 * text stays text. A result is one option of a listbox, which must hold nothing interactive:
 * links become plain text and a spoiler stays hidden (its words unmarked). Pure.
 */
import { h, isValidElement } from "preact";
import type { ComponentChildren, VNode } from "preact";

/** The classes of a match. */
const MARK = "rounded-sm bg-amber-200 px-0.5 text-inherit dark:bg-amber-700";

/** How `text` reads folded (lower case, accents off), and each folded unit's index in `text`. */
function fold(text: string): { folded: string; at: number[] } {
  let folded = "";
  const at: number[] = [];
  let index = 0;
  for (const char of text) {
    const plain = char.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    folded += plain;
    for (let i = 0; i < plain.length; i++) at.push(index);
    index += char.length;
  }
  at.push(text.length);
  return { folded, at };
}

const foldTerm = (term: string) => fold(term).folded;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Scripts written without spaces: a word there is found inside a run of letters. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Where the terms occur in `text`, as sorted, non-overlapping [start, end) ranges: whole words
 * only, as the search matches them (a search for "cat" marks "cat." but not "cats"), but for
 * terms of scripts written without spaces.
 */
export function matchRanges(text: string, terms: string[]): [number, number][] {
  const { folded, at } = fold(text);
  const ranges: [number, number][] = [];
  for (const term of terms.map(foldTerm).filter(Boolean)) {
    const anywhere = CJK.test(term);
    for (let i = folded.indexOf(term); i !== -1; i = folded.indexOf(term, i + 1)) {
      const end = i + term.length;
      const inWord = WORD_CHAR.test(folded[i - 1] ?? "") || WORD_CHAR.test(folded[end] ?? "");
      if (inWord && !anywhere) continue;
      ranges.push([at[i], at[end]]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}

/** `text` with its matches in <mark>s. */
export function markText(text: string, terms: string[]): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const [start, end] of matchRanges(text, terms)) {
    if (start > last) out.push(text.slice(last, start));
    out.push(h("mark", { class: MARK }, text.slice(start, end)));
    last = end;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Rendered markdown with its text's matches marked, and nothing interactive left in it. */
export function markTree(children: ComponentChildren, terms: string[]): ComponentChildren {
  if (typeof children === "string") return markText(children, terms);
  if (Array.isArray(children)) return children.map((child) => markTree(child, terms));
  if (!isValidElement(children)) return children;
  const node = children as VNode<Record<string, unknown>>;
  if (typeof node.type !== "string") {
    // A component (the spoiler): its words are hidden, so they stay unmarked and unread.
    return h("span", { class: "rounded bg-slate-700 px-1 text-xs text-white" }, "spoiler");
  }
  const { children: inner, href: _href, target: _target, rel: _rel, ...props } = node.props;
  const type = node.type === "a" ? "span" : node.type;
  return h(type, props, markTree(inner as ComponentChildren, terms));
}

/** Characters of a message shown at most in a result. */
export const EXCERPT_MAX = 300;
/** Characters kept before the first match when a long message is cut. */
const EXCERPT_LEAD = 80;

/** A long message cut around its first match ("…" where it was cut); a short one whole. */
export function excerpt(content: string, terms: string[], max = EXCERPT_MAX): string {
  if (content.length <= max) return content;
  const first = matchRanges(content, terms)[0]?.[0] ?? 0;
  let start = Math.max(0, first - EXCERPT_LEAD);
  // Start at a word, not in the middle of one.
  if (start > 0) start = content.slice(0, start).search(/\s\S*$/) + 1 || start;
  const end = Math.min(content.length, start + max);
  return `${start > 0 ? "…" : ""}${content.slice(start, end)}${end < content.length ? "…" : ""}`;
}
