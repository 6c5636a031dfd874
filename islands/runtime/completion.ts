/**
 * The composer's completion: `@` + the start of a member's name, or `:` + two or more letters
 * of an emoji's shortcode, right before the caret (completion_query.ts finds it, in the page's
 * first load; this part loads with the suggestions). Pure, so it is tested alone.
 */

import type { CompletionQuery } from "./completion_query.ts";

export type { CompletionQuery } from "./completion_query.ts";

/** The text with the query replaced by `insert` and a space, and where the caret goes (UTF-16). */
export function applyCompletion(
  text: string,
  caret: number,
  query: CompletionQuery,
  insert: string,
): { text: string; caret: number } {
  const rest = text.slice(caret);
  // One space after it, unless one follows already (the caret then goes past it).
  const next = `${text.slice(0, query.start)}${insert}${/^\s/.test(rest) ? "" : " "}${rest}`;
  return { text: next, caret: query.start + insert.length + 1 };
}

/** A member matching a mention query: by username or display name, starts before contains. */
export function matchMembers<T extends { username: string; displayName: string }>(
  members: T[],
  query: string,
  limit: number,
): T[] {
  const q = query.toLowerCase();
  const rank = (member: T) => {
    const names = [member.username.toLowerCase(), member.displayName.toLowerCase()];
    if (names.some((name) => name.startsWith(q))) return 0;
    if (names.some((name) => name.includes(q))) return 1;
    return -1;
  };
  return members.map((member) => [rank(member), member] as const)
    .filter(([rank]) => rank !== -1)
    .sort((a, b) => a[0] - b[0] || a[1].username.localeCompare(b[1].username))
    .slice(0, limit)
    .map(([, member]) => member);
}
