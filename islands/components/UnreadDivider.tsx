/** The "New messages" line above the first message the reader has not read. */
export function UnreadDivider() {
  return (
    <li data-first-unread="">
      <div
        role="separator"
        aria-label="New messages"
        class="flex items-center gap-3 text-xs font-bold uppercase text-red-700 dark:text-red-400"
      >
        <span class="h-px flex-1 bg-red-500" />
        New messages
      </div>
    </li>
  );
}
