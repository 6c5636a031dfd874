/**
 * /invite/:code: the link people share. Shows which server it leads to and a Join button;
 * visitors log in (or register) first and come back here.
 */
import { Hono } from "hono";
import { AuthLayout } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { renderPage } from "../render_page.tsx";
import { pageAuth } from "./require_page_auth.ts";

export function invitePage({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/invite/:code", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const code = c.req.param("code");
    const server = await chat.previewInvite(code);
    return c.html(renderPage({
      title: `Join ${server.name}`,
      body: (
        <AuthLayout
          title={server.name}
          subtitle="You have been invited to join this server."
          footer={
            <a
              href="/chat"
              class="font-semibold text-brand-600 hover:underline dark:text-brand-100"
            >
              No thanks
            </a>
          }
        >
          <form method="post" action={`/invite/${encodeURIComponent(code)}`}>
            <SubmitButton full>Join {server.name}</SubmitButton>
          </form>
        </AuthLayout>
      ),
    }));
  });

  app.post("/invite/:code", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const { server, channels } = await chat.joinByInvite(auth.user, c.req.param("code"));
    return c.redirect(`/chat/${server.id}/${channels[0].id}`, 303);
  });

  return app;
}
