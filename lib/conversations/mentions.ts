/**
 * Mentions, resolved when a message is sent (API.md "Conversations"): `@username` of a member
 * of the server becomes that user's id; `@everyone` and `@here` set `everyone` only for a
 * sender holding `mention_everyone` in the channel (`@here` notifies only those online, but is
 * stored the same). `@nobody` stays plain text. The stored ids drive unread mention counts.
 */
import type { MessageMentions, Store } from "../../db/store.ts";
import { MENTIONS_PER_MESSAGE_MAX } from "../limits.ts";
import { has } from "../permissions/permission_names.ts";
import type { ServerAccess } from "../permissions/server_access.ts";

/** `@name` at the start or after a character that cannot be part of a name or an address. */
const MENTION = /(?<![\w.@-])@([a-z0-9_.-]{3,32}|everyone|here)(?![a-z0-9_-])/gi;

/** The names a content mentions, lowercased, each once, at most MENTIONS_PER_MESSAGE_MAX. */
export function mentionTokens(content: string): { names: string[]; everyone: boolean } {
  const names = new Set<string>();
  let everyone = false;
  for (const match of content.matchAll(MENTION)) {
    // A name may end with "." in a sentence ("thanks @ann.") but usernames rarely do.
    const name = match[1].toLowerCase().replace(/\.+$/, "");
    if (name === "everyone" || name === "here") everyone = true;
    else if (name.length >= 3 && names.size < MENTIONS_PER_MESSAGE_MAX) names.add(name);
  }
  return { names: [...names], everyone };
}

/** Resolves the mentions of `content` sent by `senderId` in `channelId`. */
export async function resolveMentions(
  store: Store,
  access: ServerAccess,
  senderId: string,
  channelId: string,
  content: string,
): Promise<MessageMentions> {
  if (!content.includes("@")) return { users: [], everyone: false };
  const { names, everyone } = mentionTokens(content);
  const users = await Promise.all(names.map((name) => store.findUserByUsername(name)));
  return {
    users: users.flatMap((user) => user && access.isMember(user.id) ? [user.id] : []),
    everyone: everyone &&
      has(access.channelPermissions(senderId, channelId), "mention_everyone"),
  };
}
