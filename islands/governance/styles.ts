/** Class names the governance screens share (Tailwind scans this file). */
export const BUTTON =
  "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-semibold disabled:opacity-50";
export const PRIMARY = `${BUTTON} bg-brand-600 text-white hover:bg-brand-700`;
export const SECONDARY =
  `${BUTTON} bg-slate-200 text-slate-900 hover:bg-slate-300 dark:bg-slate-700 dark:text-white dark:hover:bg-slate-600`;
export const DANGER = `${BUTTON} bg-red-700 text-white hover:bg-red-800`;
export const QUIET =
  `${BUTTON} text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800`;
export const INPUT =
  "w-full rounded-md border border-slate-400 bg-white px-2 py-1.5 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-950 dark:text-slate-100";
export const LABEL = "block text-sm font-semibold text-slate-800 dark:text-slate-200";
export const MUTED = "text-sm text-slate-600 dark:text-slate-300";
export const DIALOG =
  "m-auto max-h-[calc(100dvh-2rem)] w-[min(44rem,calc(100vw-2rem))] overflow-hidden rounded-2xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100";
