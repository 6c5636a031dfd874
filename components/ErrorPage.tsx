import { Wordmark } from "./Logo.tsx";

/** A friendly page for an error status, with a way back. */
export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <main class="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <Wordmark />
      <p class="text-5xl font-bold text-brand-500">{status}</p>
      <p class="max-w-md text-slate-600 dark:text-slate-300">{message}</p>
      <a href="/" class="font-semibold text-brand-600 hover:underline dark:text-brand-100">
        Back to Salon
      </a>
    </main>
  );
}
