/**
 * `@username` mentions, found the same way by the markdown renderer (which highlights them), the
 * server (which counts unread mentions when it renders a page) and the unread store (which counts
 * them live). Usernames are lowercase; a mention matches whatever its case.
 */

/** One mention: `@` not preceded by a word character or another `@`, then a username. */
export const MENTION_SOURCE = String.raw`(?<![\w@])(@[a-z0-9_.-]{3,32})`;
const MENTION = new RegExp(MENTION_SOURCE, "gi");

/** True when `content` mentions `username`. */
export function mentions(content: string, username: string): boolean {
  for (const [, mention] of content.matchAll(MENTION)) {
    if (mention.slice(1).toLowerCase() === username) return true;
  }
  return false;
}
