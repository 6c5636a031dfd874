/**
 * Who reacted with one emoji: the tooltip a reaction toggle shows on hover or focus, its
 * `aria-describedby`. Its module is a chunk of its own (Reactions.tsx loads it lazily, the chat
 * page's JavaScript budget), and the names are fetched when it first shows: the first
 * `REACTION_TIP_NAMES` of `GET …/reactions/:emoji`, then "and N more" for the rest of `count`.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { listReactionUsers } from "../runtime/reaction_users_api.ts";

/** Names a tooltip lists (a tooltip stays short; the count says the rest). */
export const REACTION_TIP_NAMES = 10;

/** Names already fetched, by message, emoji and count: a changed count fetches again. */
const fetched = new Map<string, string[]>();

export interface ReactionUsersProps {
  // A reaction as shown (`me` too, unused here).
  me?: boolean;
  /** The element's id, which the toggle's `aria-describedby` names. */
  id: string;
  messageId: string;
  emoji: string;
  count: number;
}

export default function ReactionUsers({ id, messageId, emoji, count }: ReactionUsersProps) {
  const key = `${messageId} ${emoji} ${count}`;
  const loaded = useSignal(0);
  const failed = useSignal<string | null>(null);
  useEffect(() => {
    if (fetched.has(key)) return;
    let live = true;
    listReactionUsers(messageId, emoji, REACTION_TIP_NAMES).then((result) => {
      if (!live) return;
      if (!result.ok) return failed.value = result.error.message;
      fetched.set(key, result.value.map((user) => user.displayName));
      loaded.value++;
    });
    return () => live = false;
  }, [key]);
  const list = loaded.value >= 0 ? fetched.get(key) : undefined;
  const more = list ? count - list.length : 0;
  return (
    <span
      id={id}
      role="tooltip"
      data-reaction-users=""
      class="absolute bottom-full left-0 z-20 mb-1 w-max max-w-64 rounded-md bg-slate-900 px-2 py-1 text-xs text-white shadow-lg dark:bg-slate-700"
    >
      {failed.value ??
        (list
          ? `Reacted with ${emoji}: ${list.join(", ")}${more > 0 ? ` and ${more} more` : ""}`
          : "Loading who reacted…")}
    </span>
  );
}
