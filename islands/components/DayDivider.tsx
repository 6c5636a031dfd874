/** The line with a day's name above the first messages of that day. */
export function DayDivider({ label }: { label: string }) {
  return (
    <li>
      <div
        role="separator"
        aria-label={label}
        class="flex items-center gap-3 py-1 text-xs font-semibold text-slate-500 dark:text-slate-400"
      >
        <span class="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
        {label}
        <span class="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
      </div>
    </li>
  );
}
