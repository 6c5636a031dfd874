/**
 * Finding what the composer is completing: `@` + the start of a member's name, or `:` + two or
 * more letters of an emoji's shortcode, right before the caret. Alone in its module: the
 * composer needs it at once, the rest of completion.ts only once a query appears.
 */

/** What is being completed: its kind, the typed text, and where it starts in the composer. */
export interface CompletionQuery {
  kind: "mention" | "emoji";
  query: string;
  start: number;
}

/** The query before `caret`, or null when the caret is not at the end of one. */
export function completionAt(text: string, caret: number): CompletionQuery | null {
  const before = text.slice(0, caret);
  const mention = before.match(/(?:^|[^\w@])@([\w.-]{0,32})$/);
  if (mention) return { kind: "mention", query: mention[1], start: caret - mention[1].length - 1 };
  const emoji = before.match(/(?:^|[^\w:]):([a-z0-9_+-]{2,32})$/i);
  if (emoji) return { kind: "emoji", query: emoji[1], start: caret - emoji[1].length - 1 };
  return null;
}
