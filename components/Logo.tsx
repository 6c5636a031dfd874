/** Salon's mark: a speech bubble with three dots (the same drawing as static/favicon.svg). */
export function Logo({ class: className = "h-8 w-8" }: { class?: string }) {
  return (
    <svg viewBox="0 0 64 64" class={className} aria-hidden="true">
      <rect width="64" height="64" rx="16" fill="#5865f2" />
      <path
        d="M16 20a6 6 0 0 1 6-6h20a6 6 0 0 1 6 6v16a6 6 0 0 1-6 6H30l-9 8v-8h1a6 6 0 0 1-6-6z"
        fill="#fff"
      />
      <circle cx="24" cy="28" r="3" fill="#5865f2" />
      <circle cx="32" cy="28" r="3" fill="#5865f2" />
      <circle cx="40" cy="28" r="3" fill="#5865f2" />
    </svg>
  );
}

/** The mark with the product name. */
export function Wordmark() {
  return (
    <span class="inline-flex items-center gap-2 text-xl font-bold tracking-tight">
      <Logo />
      <span>Salon</span>
    </span>
  );
}
