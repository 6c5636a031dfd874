/**
 * /invite/:code: the link people share. Anyone holding it sees which server it leads to; a
 * signed-in person gets a Join button, a visitor links to log in or create an account that come
 * back here afterwards.
 */
import { Hono } from "hono";
import { AuthLayout } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import { renderPage } from "../render_page.tsx";

const LINK = "font-semibold text-brand-600 hover:underline dark:text-brand-100";
const BUTTON_LINK =
  "flex w-full items-center justify-center rounded-lg px-4 py-2 text-sm font-semibold shadow-sm transition";

/** Log in or register (where registration is open to them), then come back to `invitePath`. */
function VisitorChoices(
  { invitePath, canRegister }: { invitePath: string; canRegister: boolean },
) {
  const next = `?next=${encodeURIComponent(invitePath)}`;
  return (
    <div class="space-y-3">
      <a
        href={`/login${next}`}
        class={`${BUTTON_LINK} bg-brand-500 text-white hover:bg-brand-600 active:bg-brand-700`}
      >
        Log in to join
      </a>
      {canRegister && (
        <a
          href={`/register${next}`}
          class={`${BUTTON_LINK} bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700 dark:hover:bg-slate-700`}
        >
          Create an account
        </a>
      )}
    </div>
  );
}

export function invitePage({ chat, config }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/invite/:code", async (c) => {
    const code = c.req.param("code");
    const invitePath = `/invite/${encodeURIComponent(code)}`;
    const { server, memberCount } = await chat.invites.preview(code);
    const signedIn = c.get("auth") !== null;
    return c.html(renderPage({
      title: `Join ${server.name}`,
      body: (
        <AuthLayout
          title={server.name}
          subtitle={`You have been invited to join this server: ${memberCount} ${
            memberCount === 1 ? "member" : "members"
          }.`}
          footer={signedIn
            ? <a href="/chat" class={LINK}>No thanks</a>
            : config.registration === "closed"
            ? "New accounts are closed here: log in with the one you have."
            : "You need an account to join: it takes a minute."}
        >
          {signedIn
            ? (
              <form method="post" action={invitePath}>
                <SubmitButton full>Join {server.name}</SubmitButton>
              </form>
            )
            : (
              <VisitorChoices
                invitePath={invitePath}
                canRegister={config.registration !== "closed"}
              />
            )}
        </AuthLayout>
      ),
    }));
  });

  app.post("/invite/:code", requireSignIn(), async (c) => {
    const { server, channels } = await chat.invites.join(c.get("auth").user, c.req.param("code"));
    return c.redirect(`/chat/${server.id}/${channels[0].id}`, 303);
  });

  return app;
}
