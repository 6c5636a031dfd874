import type { PublicUser } from "../../lib/public_user.ts";
import { UserAvatar } from "../../islands/shared/UserAvatar.tsx";
import { ThemeToggle } from "../islands.ts";

const ICON_BUTTON =
  "rounded-md p-1.5 text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800";

/**
 * The signed-in user at the bottom of the channel list: who they are, the theme, `Settings`
 * (the account settings page, profile first) and `Log out`, a plain form so it works without
 * JavaScript.
 */
export function UserPanel({ user }: { user: PublicUser }) {
  return (
    <div class="flex items-center gap-0.5 border-t border-slate-200 py-2 pl-3 pr-1 dark:border-slate-800">
      <UserAvatar user={user} class="h-8 w-8 shrink-0" decorative />
      <span class="ml-1.5 min-w-0 flex-1">
        <span class="block truncate text-sm font-semibold">{user.displayName}</span>
        <span class="block truncate text-xs text-slate-500 dark:text-slate-400">
          @{user.username}
        </span>
      </span>
      <ThemeToggle />
      <a href="/profile" class={ICON_BUTTON} aria-label="Settings" title="Settings">
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" class="h-5 w-5">
          <path
            fill-rule="evenodd"
            d="M8.34 1.8A1 1 0 0 1 9.32 1h1.36a1 1 0 0 1 .98.8l.28 1.4c.5.18.96.45 1.38.78l1.35-.46a1 1 0 0 1 1.18.45l.68 1.18a1 1 0 0 1-.2 1.25l-1.07.95a5.6 5.6 0 0 1 0 1.58l1.07.95a1 1 0 0 1 .2 1.25l-.68 1.18a1 1 0 0 1-1.18.45l-1.35-.46c-.42.33-.88.6-1.38.78l-.28 1.4a1 1 0 0 1-.98.8H9.32a1 1 0 0 1-.98-.8l-.28-1.4a5.5 5.5 0 0 1-1.38-.78l-1.35.46a1 1 0 0 1-1.18-.45l-.68-1.18a1 1 0 0 1 .2-1.25l1.07-.95a5.6 5.6 0 0 1 0-1.58l-1.07-.95a1 1 0 0 1-.2-1.25l.68-1.18a1 1 0 0 1 1.18-.45l1.35.46c.42-.33.88-.6 1.38-.78l.28-1.4ZM10 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5Z"
            clip-rule="evenodd"
          />
        </svg>
      </a>
      <form method="post" action="/logout">
        <button type="submit" class={ICON_BUTTON} aria-label="Log out" title="Log out">
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" class="h-5 w-5">
            <path
              fill-rule="evenodd"
              d="M3 4.25A2.25 2.25 0 0 1 5.25 2h5.5A2.25 2.25 0 0 1 13 4.25v2a.75.75 0 0 1-1.5 0v-2a.75.75 0 0 0-.75-.75h-5.5a.75.75 0 0 0-.75.75v11.5c0 .41.34.75.75.75h5.5a.75.75 0 0 0 .75-.75v-2a.75.75 0 0 1 1.5 0v2A2.25 2.25 0 0 1 10.75 18h-5.5A2.25 2.25 0 0 1 3 15.75V4.25Zm12.22 2.5a.75.75 0 0 1 1.06 0l2.5 2.5a.75.75 0 0 1 0 1.06l-2.5 2.5a.75.75 0 1 1-1.06-1.06l1.22-1.22H8.75a.75.75 0 0 1 0-1.5h7.69l-1.22-1.22a.75.75 0 0 1 0-1.06Z"
              clip-rule="evenodd"
            />
          </svg>
        </button>
      </form>
    </div>
  );
}
