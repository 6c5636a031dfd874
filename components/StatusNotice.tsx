/** A boxed confirmation at the top of a settings-style page ("Password changed."). */
export function StatusNotice({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <p
      role="status"
      class="rounded-lg border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800 dark:border-green-900 dark:bg-green-950 dark:text-green-300"
    >
      {text}
    </p>
  );
}
