/** GET/DELETE /api/me/sessions and DELETE /api/me/sessions/:id (API.md "Accounts"). */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { clearSessionCookie } from "../session_cookie.ts";

export function sessionsApi({ accounts, config }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => c.json({ sessions: await accounts.listSessions(requireAuth(c)) }));

  app.delete("/", async (c) => {
    await accounts.revokeOtherSessions(requireAuth(c), clientIp(c));
    return c.body(null, 204);
  });

  app.delete("/:id", async (c) => {
    const auth = requireAuth(c);
    const id = c.req.param("id");
    await accounts.revokeSession(auth, id, clientIp(c));
    // Ending one's own session here is logging out.
    if (id === auth.sessionId) clearSessionCookie(c, config.origin);
    return c.body(null, 204);
  });

  return app;
}
