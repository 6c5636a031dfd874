/** Kicks, time-outs and bans (API.md "Managing servers, channels, invites, members"). */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

/** A JSON object body, or {} when the request has none (the body is optional here). */
export async function readOptionalJsonObject(c: Context): Promise<Record<string, unknown>> {
  // Hono keeps the body it read, so readJsonObject reads these same bytes again.
  if ((await c.req.arrayBuffer()).byteLength === 0) return {};
  return await readJsonObject(c);
}

export function moderationApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.delete("/:id/members/:userId", async (c, next) => {
    // Leaving (`/members/me`) is the servers router's; this one is mounted after it anyway.
    if (c.req.param("userId") === "me") return await next();
    const { user } = requireAuth(c);
    const { id, userId } = c.req.param();
    await chat.moderation.kick(user, id, userId, await readOptionalJsonObject(c));
    return c.body(null, 204);
  });

  app.patch("/:id/members/:userId", async (c) => {
    const { user } = requireAuth(c);
    const { id, userId } = c.req.param();
    const member = await chat.moderation.timeout(user, id, userId, await readJsonObject(c));
    return c.json({ member });
  });

  app.get("/:id/bans", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ bans: await chat.moderation.bans(user, c.req.param("id")) });
  });

  app.put("/:id/bans/:userId", async (c) => {
    const { user } = requireAuth(c);
    const { id, userId } = c.req.param();
    await chat.moderation.ban(user, id, userId, await readOptionalJsonObject(c));
    return c.body(null, 204);
  });

  app.delete("/:id/bans/:userId", async (c) => {
    const { user } = requireAuth(c);
    const { id, userId } = c.req.param();
    await chat.moderation.unban(user, id, userId);
    return c.body(null, 204);
  });

  return app;
}
