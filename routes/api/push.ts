/**
 * GET /api/push/key, POST /api/push/subscriptions and DELETE /api/push/subscriptions (API.md
 * "Notifications"): the VAPID public key browsers subscribe with, and the caller's subscriptions.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function pushApi({ notifications }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/key", (c) => {
    requireAuth(c);
    return c.json({ publicKey: notifications.publicKey() });
  });

  app.post("/subscriptions", async (c) => {
    const { user } = requireAuth(c);
    await notifications.subscribe(user, await readJsonObject(c));
    return c.body(null, 201);
  });

  app.delete("/subscriptions", async (c) => {
    const { user } = requireAuth(c);
    await notifications.unsubscribe(user, await readJsonObject(c));
    return c.body(null, 204);
  });

  return app;
}
