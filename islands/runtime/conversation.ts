/**
 * The conversation state of shown messages (API.md "Conversations"), as pure functions of a
 * message and one event: reactions (with the reader's own `me`, kept from their own events as
 * the Precisions say, since fan-out messages carry `me: false`), pins, and authors' profiles.
 * Each returns the same object when nothing changed, so memoised rows do not re-render.
 */
import type { WireMessage, WireReaction, WireUser } from "../../lib/realtime/protocol.ts";
import { canonicalForm } from "../../lib/conversations/emoji_form.ts";
import type { ShownMessage } from "./message_groups.ts";

/** One reaction more (`delta` 1) or less (-1) of `emoji`; `mine`: the reader's own. */
export function applyReaction(
  message: ShownMessage,
  emoji: string,
  delta: 1 | -1,
  mine: boolean,
): ShownMessage {
  const key = canonicalForm(emoji);
  const reactions = message.reactions ?? [];
  const found = reactions.find((reaction) => canonicalForm(reaction.emoji) === key);
  // The reader's own state never goes twice the same way (a repeated event changes nothing).
  if (mine && found && found.me === (delta === 1)) return message;
  if (mine && !found && delta === -1) return message;
  let next: WireReaction[];
  if (!found) {
    next = delta === 1 ? [...reactions, { emoji: key, count: 1, me: mine }] : reactions;
  } else {
    const count = found.count + delta;
    next = count <= 0
      ? reactions.filter((reaction) => reaction !== found)
      : reactions.map((reaction) =>
        reaction === found ? { ...reaction, count, me: mine ? delta === 1 : reaction.me } : reaction
      );
  }
  return next === reactions ? message : { ...message, reactions: next };
}

/**
 * A newer copy of a shown message. A fan-out copy (an edit) carries `me: false` everywhere, so
 * where an emoji's count is unchanged the reader's own `me` is kept; where it changed the copy
 * is a resume's (sent to this reader alone, `me` right, API.md) and it wins.
 */
export function withOwnReactions(shown: ShownMessage | undefined, incoming: WireMessage) {
  if (!shown?.reactions?.length || !incoming.reactions) return incoming;
  const mine = new Map(
    shown.reactions.filter((r) => r.me).map((r) => [canonicalForm(r.emoji), r.count]),
  );
  if (mine.size === 0) return incoming;
  return {
    ...incoming,
    reactions: incoming.reactions.map((reaction) =>
      !reaction.me && mine.get(canonicalForm(reaction.emoji)) === reaction.count
        ? { ...reaction, me: true }
        : reaction
    ),
  };
}

/** Pinned or not. */
export function applyPinned(message: ShownMessage, pinned: boolean): ShownMessage {
  return (message.pinned ?? false) === pinned ? message : { ...message, pinned };
}

/** The author's new profile (name, avatar) on their messages and on replies quoting them. */
export function applyAuthor(message: ShownMessage, user: WireUser): ShownMessage {
  let next = message;
  if (message.author.id === user.id) {
    next = {
      ...next,
      author: {
        ...message.author,
        username: user.username,
        displayName: user.displayName,
        avatarUrl: user.avatarUrl,
      },
    };
  }
  const reply = message.replyTo;
  if (reply && !("deleted" in reply) && reply.author.id === user.id) {
    next = {
      ...next,
      replyTo: { ...reply, author: { ...reply.author, displayName: user.displayName } },
    };
  }
  return next;
}

/** True when two copies of a message show the same (content, edit, reactions, pin, reply). */
export function sameShown(a: ShownMessage, b: ShownMessage): boolean {
  return a.content === b.content && a.editedAt === b.editedAt &&
    (a.pinned ?? false) === (b.pinned ?? false) &&
    JSON.stringify(a.reactions ?? []) === JSON.stringify(b.reactions ?? []) &&
    JSON.stringify(a.replyTo ?? null) === JSON.stringify(b.replyTo ?? null);
}

/** A short excerpt of a message's text for a reply's preview (as the server builds it). */
export function excerptOf(content: string, max = 100): string {
  const flat = content.replace(/\s+/g, " ").trim();
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join("")}…` : flat;
}
