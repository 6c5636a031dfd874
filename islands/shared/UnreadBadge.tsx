/**
 * The count badges of the channel list and the server rail: how many unread messages, and, in
 * red, how many of them mention the reader. Pure markup shared by islands.
 */
const shown = (count: number) => count > 99 ? "99+" : String(count);

export function UnreadBadge({ count, mentions }: { count: number; mentions: number }) {
  if (mentions > 0) {
    return (
      <span
        class="ml-auto rounded-full bg-red-600 px-1.5 text-xs font-bold text-white"
        data-mentions={mentions}
        data-unread={count}
      >
        @{shown(mentions)}
        <span class="sr-only">{mentions === 1 ? " mention" : " mentions"}, {count} unread</span>
      </span>
    );
  }
  if (count <= 0) return null;
  return (
    <span
      class="ml-auto rounded-full bg-slate-300 px-1.5 text-xs font-bold text-slate-800 dark:bg-slate-600 dark:text-white"
      data-unread={count}
    >
      {shown(count)}
      <span class="sr-only">unread</span>
    </span>
  );
}
