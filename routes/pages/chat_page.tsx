/** /chat: the signed-in home. Servers and channels arrive with the live chat; until then it
 * welcomes the user and points to what already works. */
import { Hono } from "hono";
import { AppHeader } from "../../components/AppHeader.tsx";
import { UserAvatar } from "../../components/UserAvatar.tsx";
import { toPublicUser } from "../../lib/public_user.ts";
import type { AppEnv } from "../app_env.ts";
import { renderPage } from "../render_page.tsx";
import { pageAuth } from "./require_page_auth.ts";

export function chatPage() {
  const app = new Hono<AppEnv>();

  app.get("/chat", (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const user = toPublicUser(auth.user);
    return c.html(renderPage({
      title: "Chat",
      body: (
        <>
          <AppHeader user={user} current="chat" />
          <main class="mx-auto flex max-w-5xl flex-col items-center px-4 py-16 text-center">
            <UserAvatar user={user} class="h-24 w-24" />
            <h1 class="mt-4 text-2xl font-bold">Welcome, {user.displayName}!</h1>
            <p class="mt-2 max-w-md text-slate-600 dark:text-slate-300">
              Servers and channels are on their way. Meanwhile, make your profile yours.
            </p>
            <a
              href="/profile"
              class="mt-6 rounded-lg bg-brand-500 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-600"
            >
              Edit your profile
            </a>
          </main>
        </>
      ),
    }));
  });

  return app;
}
