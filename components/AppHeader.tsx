import type { PublicUser } from "../lib/public_user.ts";
import { ThemeToggle } from "./islands.ts";
import { Wordmark } from "./Logo.tsx";
import { UserAvatar } from "../islands/shared/UserAvatar.tsx";

/**
 * The top bar of signed-in pages: home link, navigation (with `Admin` for the instance's
 * administrators), the user and a logout button.
 */
export function AppHeader(
  { user, current, admin = false }: {
    user: PublicUser;
    current: "chat" | "profile" | "admin";
    /** The user is one of ADMIN_USERNAMES: link to the administration page. */
    admin?: boolean;
  },
) {
  const link = (href: string, label: string, name: typeof current) => (
    <a
      href={href}
      aria-current={current === name ? "page" : undefined}
      class={`rounded-md px-3 py-1.5 text-sm font-medium ${
        current === name
          ? "bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white"
          : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
      }`}
    >
      {label}
    </a>
  );
  return (
    <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div class="mx-auto flex max-w-5xl items-center gap-2 px-4 py-3 sm:gap-4">
        <a href="/chat" aria-label="Salon home">
          <Wordmark />
        </a>
        <nav class="ml-auto flex items-center gap-1" aria-label="Main">
          {link("/chat", "Chat", "chat")}
          {link("/profile", "Profile", "profile")}
          {admin && link("/admin", "Admin", "admin")}
        </nav>
        <a href="/profile" class="hidden items-center gap-2 sm:flex">
          <UserAvatar user={user} class="h-8 w-8" decorative />
          <span class="max-w-32 truncate text-sm font-medium">
            <span class="sr-only">Your profile:</span> {user.displayName}
          </span>
        </a>
        <ThemeToggle />
        <form method="post" action="/logout">
          <button
            type="submit"
            class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
          >
            Log out
          </button>
        </form>
      </div>
    </header>
  );
}
