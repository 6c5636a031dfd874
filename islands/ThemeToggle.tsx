/**
 * Light, dark, or the system's choice: cycles through the three and remembers the choice in
 * localStorage (static/theme.js applies it before each page paints).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

const CHOICES = ["system", "light", "dark"] as const;
type Choice = typeof CHOICES[number];
const LABELS: Record<Choice, string> = {
  system: "Theme: system",
  light: "Theme: light",
  dark: "Theme: dark",
};

export default function ThemeToggle() {
  const choice = useSignal<Choice>("system");
  useEffect(() => {
    const stored = localStorage.getItem("salon-theme");
    if (stored === "light" || stored === "dark") choice.value = stored;
  }, []);
  function next() {
    choice.value = CHOICES[(CHOICES.indexOf(choice.value) + 1) % CHOICES.length];
    localStorage.setItem("salon-theme", choice.value);
    dispatchEvent(new Event("salon-theme"));
  }
  return (
    <button
      type="button"
      onClick={next}
      class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
      aria-label={`${LABELS[choice.value]} (change)`}
      title={LABELS[choice.value]}
    >
      {choice.value === "dark" ? "☾" : choice.value === "light" ? "☀" : "◐"}
    </button>
  );
}
