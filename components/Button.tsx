import type { ComponentChildren } from "preact";

const STYLES = {
  primary: "bg-brand-500 text-white hover:bg-brand-600 active:bg-brand-700",
  secondary:
    "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700 dark:hover:bg-slate-700",
  /** For what cannot be undone by the same person alone (leaving a server). */
  danger: "bg-red-600 text-white hover:bg-red-700 active:bg-red-800",
};

/** A form's submit button. */
export function SubmitButton(
  { children, variant = "primary", full = false }: {
    children: ComponentChildren;
    variant?: keyof typeof STYLES;
    full?: boolean;
  },
) {
  return (
    <button
      type="submit"
      class={`${
        full ? "w-full" : ""
      } inline-flex items-center justify-center rounded-lg px-4 py-2 text-sm font-semibold shadow-sm transition ${
        STYLES[variant]
      }`}
    >
      {children}
    </button>
  );
}
