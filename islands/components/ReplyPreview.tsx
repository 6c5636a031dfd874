/**
 * The quoted preview above a reply: the original's author and excerpt, as a button named
 * `Jump to <excerpt>` (API.md) that scrolls to the original and highlights it; "Original
 * message deleted" once it is gone. Without JavaScript it is a form that opens the page at the
 * original (`?m=<seq>`).
 */
import type { WireReplyPreview } from "../../lib/realtime/protocol.ts";

export function ReplyPreview(
  { reply, onJump }: {
    reply: WireReplyPreview;
    onJump: (id: string, seq: number) => void;
  },
) {
  if ("deleted" in reply) {
    return (
      <p class="mb-0.5 flex items-center gap-1 text-xs italic text-slate-500 dark:text-slate-400">
        <span aria-hidden="true">↪</span> Original message deleted
      </p>
    );
  }
  return (
    <form
      method="get"
      class="mb-0.5"
      onSubmit={(event) => {
        event.preventDefault();
        onJump(reply.id, reply.seq);
      }}
    >
      <input type="hidden" name="m" value={reply.seq} />
      <button
        type="submit"
        aria-label={`Jump to ${reply.excerpt}`}
        data-reply-to={reply.id}
        class="flex max-w-full items-center gap-1 rounded text-left text-xs text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"
      >
        <span aria-hidden="true">↪</span>
        <span class="shrink-0 font-semibold">{reply.author.displayName}</span>
        <span class="truncate">{reply.excerpt}</span>
      </button>
    </form>
  );
}
