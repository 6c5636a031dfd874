import type { ComponentChildren } from "preact";

/** One section of the settings page: a card with a heading, reachable as `#<id>`. */
export function SettingsCard(
  { id, title, danger = false, children }: {
    id: string;
    title: string;
    /** For what cannot be undone (deleting the account). */
    danger?: boolean;
    children: ComponentChildren;
  },
) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-heading`}
      class={`scroll-mt-6 rounded-2xl bg-white p-5 shadow-sm ring-1 dark:bg-slate-900 ${
        danger ? "ring-red-300 dark:ring-red-900" : "ring-slate-200 dark:ring-slate-800"
      }`}
    >
      <h2 id={`${id}-heading`} class="mb-4 text-lg font-semibold">{title}</h2>
      {children}
    </section>
  );
}

/** A paragraph explaining a section, in the muted text of the page. */
export function SectionText({ children }: { children: ComponentChildren }) {
  return <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">{children}</p>;
}
