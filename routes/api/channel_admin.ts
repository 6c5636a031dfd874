/** PATCH and DELETE /api/channels/:id (`manage_channels`). */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function channelAdminApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.patch("/:id", async (c) => {
    const { user } = requireAuth(c);
    const input = await readJsonObject(c);
    return c.json({ channel: await chat.channelAdmin.update(user, c.req.param("id"), input) });
  });

  app.delete("/:id", async (c) => {
    const { user } = requireAuth(c);
    await chat.channelAdmin.delete(user, c.req.param("id"));
    return c.body(null, 204);
  });

  return app;
}
