export interface TextFieldProps {
  name: string;
  type?: "text" | "password";
  value?: string;
  autocomplete?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  autofocus?: boolean;
  spellcheck?: boolean;
  label: string;
  /** Shown under the field, and tied to it for screen readers. */
  error?: string;
  hint?: string;
}

/** A labelled input with its error message next to it. */
export function TextField({ name, label, error, hint, ...input }: TextFieldProps) {
  const describedBy = error ? `${name}-error` : hint ? `${name}-hint` : undefined;
  return (
    <div class="space-y-1">
      <label for={name} class="block text-sm font-medium text-slate-700 dark:text-slate-300">
        {label}
      </label>
      <input
        id={name}
        name={name}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
        class={`block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm dark:bg-slate-900 ${
          error
            ? "border-red-500 focus:border-red-500"
            : "border-slate-300 focus:border-brand-500 dark:border-slate-700"
        }`}
        {
          // Preact's input typings are a union keyed by `type`; ours are a checked subset of them.
          ...input as Record<string, unknown>
        }
      />
      {error
        ? <p id={`${name}-error`} class="text-sm text-red-600 dark:text-red-400">{error}</p>
        : hint && (
          <p id={`${name}-hint`} class="text-sm text-slate-500 dark:text-slate-400">{hint}</p>
        )}
    </div>
  );
}
