/**
 * The search query language (API.md "Search"), parsed once into typed parts:
 * - words (all must match, any case, accents ignored) and `"exact phrases"`;
 * - `-word` and `-"phrase"`: must not match;
 * - filters `from:username`, `in:channel-name`, `mentions:username` (repeatable: any of),
 *   `has:link|file|image`, `is:pinned`, `before:YYYY-MM-DD`, `after:YYYY-MM-DD` (UTC days;
 *   both exclude the day named).
 *
 * Only those filter names are filters: `12:30` or `https://x.y` stay words, as in Discord. A
 * known filter with a bad value is refused with `400 invalid_query` naming it and the value.
 * An unclosed quote runs to the end of the query (as PostgreSQL's websearch_to_tsquery reads it).
 */
import type { SearchTerm } from "../../db/search_store.ts";
import { Invalid } from "../errors.ts";
import type { ErrorCode } from "../error_codes.ts";
import { SEARCH_QUERY_MAX_LENGTH, SEARCH_QUERY_PARTS_MAX } from "../limits.ts";
import { tokenize } from "./text.ts";

/** What `has:` may name: a link, an attachment, an attachment that is an inline image. */
export type HasKind = "link" | "file" | "image";

/** A parsed query: names are resolved later (lib/search/search_service.ts). */
export interface ParsedQuery {
  required: SearchTerm[];
  excluded: SearchTerm[];
  /** Usernames, lowercased. */
  from: string[];
  /** Channel names, lowercased. */
  in: string[];
  /** Usernames, lowercased. */
  mentions: string[];
  has: HasKind[];
  pinned: boolean;
  /** Messages sent before the start of this UTC day. */
  before: Date | null;
  /** Messages sent from the end of this UTC day on. */
  after: Date | null;
}

const FILTERS = ["from", "in", "mentions", "has", "is", "before", "after"] as const;
type FilterName = typeof FILTERS[number];
const HAS_KINDS: readonly HasKind[] = ["link", "file", "image"];
const DAY_MS = 24 * 60 * 60 * 1000;
/** One part of the query: an optional `-`, then a `"phrase"` or a run without spaces. */
const PART = /(-?)(?:"([^"]*)(?:"|$)|(\S+))/gy;
const WHITESPACE = /\s*/y;

// `invalid_query` is requested for lib/error_codes.ts (requests/search-1.md).
const INVALID_QUERY = "invalid_query" as ErrorCode;

function refuse(message: string): Invalid {
  return new Invalid(INVALID_QUERY, message, "q");
}

/**
 * Parses `q`; throws `400 invalid_query` for what it cannot mean.
 *
 * @example
 * ```ts
 * const query = parseQuery('café "good morning" -spam from:alice has:link');
 * query.required.map((t) => t.tokens); // [["cafe"], ["good", "morning"]]
 * query.from; // ["alice"]
 * ```
 */
export function parseQuery(q: string): ParsedQuery {
  if (q.length > SEARCH_QUERY_MAX_LENGTH) {
    throw refuse(`q must be at most ${SEARCH_QUERY_MAX_LENGTH} characters: got ${q.length}.`);
  }
  const query: ParsedQuery = {
    required: [],
    excluded: [],
    from: [],
    in: [],
    mentions: [],
    has: [],
    pinned: false,
    before: null,
    after: null,
  };
  let parts = 0;
  for (const [negated, phrase, bare] of partsOf(q)) {
    if (++parts > SEARCH_QUERY_PARTS_MAX) {
      throw refuse(`q may hold at most ${SEARCH_QUERY_PARTS_MAX} words, phrases and filters.`);
    }
    const filter = phrase === undefined ? filterOf(bare) : null;
    if (filter) {
      if (negated) throw refuse(`Filters cannot be negated: "-${bare}".`);
      applyFilter(query, filter.name, filter.value);
      continue;
    }
    const text = phrase ?? bare;
    const tokens = tokenize(text);
    // Punctuation alone ("!!!", a lone "-") matches nothing and narrows nothing.
    if (tokens.length === 0) continue;
    (negated ? query.excluded : query.required).push({ text, tokens });
  }
  if (isEmpty(query)) {
    throw refuse("q must hold at least one word, phrase or filter.");
  }
  return query;
}

/** [negated, phrase (quoted), bare] for each part of the query. */
function* partsOf(q: string): Generator<[boolean, string | undefined, string]> {
  let at = 0;
  while (at < q.length) {
    WHITESPACE.lastIndex = at;
    WHITESPACE.exec(q);
    at = WHITESPACE.lastIndex;
    if (at >= q.length) return;
    PART.lastIndex = at;
    const match = PART.exec(q);
    if (!match) return;
    at = PART.lastIndex;
    yield [match[1] === "-", match[2], match[3] ?? ""];
  }
}

function filterOf(bare: string): { name: FilterName; value: string } | null {
  const colon = bare.indexOf(":");
  if (colon <= 0) return null;
  const name = bare.slice(0, colon).toLowerCase();
  if (!(FILTERS as readonly string[]).includes(name)) return null;
  return { name: name as FilterName, value: bare.slice(colon + 1) };
}

function applyFilter(query: ParsedQuery, name: FilterName, raw: string): void {
  const value = raw.toLowerCase();
  if (value === "") throw refuse(`${name}: needs a value (e.g. "${example(name)}").`);
  switch (name) {
    case "from":
    case "mentions":
      query[name].push(value.replace(/^@/, ""));
      return;
    case "in":
      query.in.push(value.replace(/^#/, ""));
      return;
    case "has":
      if (!(HAS_KINDS as readonly string[]).includes(value)) {
        throw refuse(`has: must be link, file or image: got "${raw}".`);
      }
      if (!query.has.includes(value as HasKind)) query.has.push(value as HasKind);
      return;
    case "is":
      if (value !== "pinned") throw refuse(`is: must be pinned: got "${raw}".`);
      query.pinned = true;
      return;
    case "before": {
      const day = dayOf(name, raw);
      if (query.before === null || day < query.before) query.before = day;
      return;
    }
    case "after": {
      const next = new Date(dayOf(name, raw).getTime() + DAY_MS);
      if (query.after === null || next > query.after) query.after = next;
      return;
    }
  }
}

/** The start of a `YYYY-MM-DD` UTC day, or a refusal naming the filter and the value. */
function dayOf(name: FilterName, raw: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const day = match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  // Date.UTC rolls 2024-02-31 over to March: a real date reads back the same.
  if (!day || day.toISOString().slice(0, 10) !== raw) {
    throw refuse(`${name}: must be a date as YYYY-MM-DD: got "${raw}".`);
  }
  return day;
}

function example(name: FilterName): string {
  return {
    from: "from:alice",
    in: "in:general",
    mentions: "mentions:alice",
    has: "has:link",
    is: "is:pinned",
    before: "before:2024-01-31",
    after: "after:2024-01-01",
  }[name];
}

function isEmpty(query: ParsedQuery): boolean {
  return query.required.length === 0 && query.excluded.length === 0 &&
    query.from.length === 0 && query.in.length === 0 && query.mentions.length === 0 &&
    query.has.length === 0 && !query.pinned && query.before === null && query.after === null;
}
