/**
 * `@username` mentions, found the same way by the markdown renderer (which highlights them), the
 * server (which counts unread mentions when it renders a page) and the unread store (which counts
 * them live). Usernames are lowercase; a mention matches whatever its case.
 *
 * What counts as mentioning the reader is the message's stored `mentions` (resolved to user ids
 * when it was sent, `@everyone`/`@here` only from those allowed: API.md "Conversations"); the
 * text is read only for a message that has none (one from before they were stored).
 */
import type { WireMessage } from "../../lib/realtime/protocol.ts";

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

/** True when `message` mentions the reader (by id, or `@everyone`/`@here` where it counted). */
export function mentionsReader(
  message: Pick<WireMessage, "content" | "mentions">,
  me: { id: string; username: string },
): boolean {
  if (message.mentions) return message.mentions.everyone || message.mentions.users.includes(me.id);
  return mentions(message.content, me.username);
}
