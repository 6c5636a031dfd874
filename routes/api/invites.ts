/**
 * Invites (API.md "Managing servers, channels, invites, members"): a server's invites
 * (`serverInvitesApi`, under /api/servers) and one invite by its code (`invitesApi`, under
 * /api/invites), whose preview works logged out.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readOptionalJsonObject } from "./moderation.ts";

export function serverInvitesApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post("/:id/invites", async (c) => {
    const { user } = requireAuth(c);
    const input = await readOptionalJsonObject(c);
    return c.json(await chat.invites.create(user, c.req.param("id"), input), 201);
  });

  app.get("/:id/invites", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ invites: await chat.invites.list(user, c.req.param("id")) });
  });

  return app;
}

export function invitesApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  // No requireAuth: the invite page shows this to visitors (the session middleware lets them by).
  app.get("/:code", async (c) => {
    return c.json({ invite: await chat.invites.preview(c.req.param("code")) });
  });

  app.delete("/:code", async (c) => {
    const { user } = requireAuth(c);
    await chat.invites.delete(user, c.req.param("code"));
    return c.body(null, 204);
  });

  app.post("/:code/join", async (c) => {
    const { user } = requireAuth(c);
    return c.json(await chat.invites.join(user, c.req.param("code")));
  });

  return app;
}
