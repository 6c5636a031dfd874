import type { ComponentChildren } from "preact";
import { Logo } from "./Logo.tsx";

/** The centred card of the login and register pages. */
export function AuthLayout(
  { title, subtitle, children, footer }: {
    title: string;
    subtitle: string;
    children: ComponentChildren;
    footer: ComponentChildren;
  },
) {
  return (
    <main class="flex min-h-screen items-center justify-center bg-gradient-to-br from-brand-500 to-indigo-800 px-4 py-10">
      <div class="w-full max-w-md rounded-2xl bg-white p-6 shadow-2xl sm:p-8 dark:bg-slate-900">
        <div class="mb-6 flex flex-col items-center text-center">
          <Logo class="mb-3 h-12 w-12" />
          <h1 class="text-2xl font-bold">{title}</h1>
          <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">{subtitle}</p>
        </div>
        {children}
        <p class="mt-6 text-center text-sm text-slate-600 dark:text-slate-400">{footer}</p>
      </div>
    </main>
  );
}

/** A message for the whole form (not one field), e.g. wrong credentials. */
export function FormAlert({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div
      role="alert"
      class="mb-4 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-900 dark:bg-red-950 dark:text-red-300"
    >
      {message}
    </div>
  );
}
