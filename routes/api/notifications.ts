/** GET /api/me/notifications and PUT /api/me/notifications/:targetId (API.md "Notifications"). */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function notificationsApi({ notifications }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ settings: await notifications.settings(user) });
  });

  app.put("/:targetId", async (c) => {
    const { user } = requireAuth(c);
    await notifications.setSetting(user, c.req.param("targetId"), await readJsonObject(c));
    return c.body(null, 204);
  });

  return app;
}
