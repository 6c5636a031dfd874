/**
 * Leaving a server, which asks first. With JavaScript the server header's Leave opens a dialog
 * (islands/LeaveServerButton.tsx); without it the same link opens `GET /chat/:serverId/leave`,
 * a confirmation page. Both confirm with `POST /chat/:serverId/leave`. The owner cannot leave.
 */
import { Hono } from "hono";
import { AuthLayout } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import { HttpError } from "../../lib/errors.ts";
import { FORM_BODY_MAX_BYTES } from "../../lib/limits.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { renderPage } from "../render_page.tsx";
import { channelResponse } from "./chat_page.tsx";

const LINK = "font-semibold text-brand-600 hover:underline dark:text-brand-100";

export function leavePage(deps: AppDeps) {
  const { chat } = deps;
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();

  app.get("/chat/:serverId/leave", signedIn, async (c) => {
    const { server } = await chat.servers.get(c.get("auth").user, c.req.param("serverId"));
    const back = `/chat/${server.id}`;
    const owner = server.ownerId === c.get("auth").user.id;
    return c.html(renderPage({
      title: `Leave ${server.name}`,
      body: (
        <AuthLayout
          title={`Leave ${server.name}?`}
          subtitle={owner
            ? "The owner cannot leave their own server."
            : "You will no longer see its channels. You can come back with a new invite."}
          footer={<a href={back} class={LINK}>{owner ? "Back" : "Cancel"}</a>}
        >
          {!owner && (
            <form method="post" action={`/chat/${server.id}/leave`}>
              <SubmitButton full variant="danger">Leave server</SubmitButton>
            </form>
          )}
        </AuthLayout>
      ),
    }));
  });

  app.post("/chat/:serverId/leave", signedIn, limitBody(FORM_BODY_MAX_BYTES), async (c) => {
    const serverId = c.req.param("serverId");
    try {
      await chat.servers.leave(c.get("auth").user, serverId);
      return c.redirect("/chat", 303);
    } catch (error) {
      // The owner: shown on the server's page, like any refused form.
      if (!(error instanceof HttpError) || error.code !== "owner_cannot_leave") throw error;
      return await channelResponse(c, deps, { serverId }, { error: error.message }, 409);
    }
  });

  return app;
}
