/**
 * A message's reactions: one toggle button per emoji, named by the emoji and its count, with
 * `aria-pressed` for the reader's own (API.md's screen names). A press adds or removes the
 * reader's reaction; the count changes when the server's event comes back, so every page
 * (this one included) shows the same. Custom emoji (`:name:`) show as their image. Hovered or
 * focused, a toggle shows who reacted (ReactionUsers.tsx, its `aria-describedby`).
 */
import { useSignal } from "@preact/signals";
import type { WireReaction } from "../../lib/realtime/protocol.ts";
import { setReaction } from "../runtime/api.ts";
import { customEmoji } from "../runtime/custom_emoji.ts";
import { lazy } from "../shared/lazy.tsx";
import type { ReactionUsersProps } from "./ReactionUsers.tsx";

/** Who reacted: its code loads when a toggle is first hovered or focused. */
const ReactionUsers = lazy<ReactionUsersProps>(() =>
  import("./ReactionUsers.tsx").then((loaded) => loaded.default)
);

/** An emoji as shown: a custom one as its image (alt `:name:`), else the character. */
export function EmojiGlyph({ emoji, class: className = "h-5 w-5" }: {
  emoji: string;
  class?: string;
}) {
  const url = emoji.startsWith(":") ? customEmoji.value.get(emoji.slice(1, -1)) : undefined;
  return url
    ? <img src={url} alt={emoji} class={`inline-block ${className} object-contain`} />
    : <span>{emoji}</span>;
}

export function Reactions(
  { messageId, reactions }: { messageId: string; reactions: WireReaction[] },
) {
  const error = useSignal<string | null>(null);
  const shown = useSignal<string | null>(null);
  if (reactions.length === 0) return null;
  async function toggle(reaction: WireReaction) {
    const result = await setReaction(messageId, reaction.emoji, !reaction.me);
    error.value = result.ok ? null : result.error.message;
  }
  const hide = () => shown.value = null;
  const tip = `r${messageId}`;
  const on = reactions.find((reaction) => reaction.emoji === shown.value);
  return (
    <div class="relative mt-1 flex flex-wrap items-center gap-1" data-reactions="">
      {reactions.map((reaction) => (
        <button
          key={reaction.emoji}
          type="button"
          aria-pressed={reaction.me ? "true" : "false"}
          aria-describedby={shown.value === reaction.emoji ? tip : undefined}
          onClick={() => toggle(reaction)}
          onMouseEnter={() => shown.value = reaction.emoji}
          onFocus={() => shown.value = reaction.emoji}
          onMouseLeave={hide}
          onBlur={hide}
          class={`flex items-center gap-1 rounded-full border px-2 py-0.5 text-sm ${
            reaction.me
              ? "border-brand-500 bg-brand-100 text-brand-700 dark:bg-slate-700 dark:text-brand-100"
              : "border-slate-200 bg-slate-50 text-slate-700 hover:border-slate-400 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200"
          }`}
        >
          <EmojiGlyph emoji={reaction.emoji} />
          <span class="tabular-nums">{reaction.count}</span>
        </button>
      ))}
      {on && <ReactionUsers id={tip} messageId={messageId} {...on} />}
      {error.value && (
        <span role="alert" class="text-xs text-red-600 dark:text-red-400">{error.value}</span>
      )}
    </div>
  );
}
