/** A channel's pins (API.md "Conversations"): PUT/DELETE need `manage_messages`. */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";

export function pinsApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/:id/pins", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ pins: await chat.pins.list(user, c.req.param("id")) });
  });

  app.put("/:id/pins/:messageId", async (c) => {
    const { user } = requireAuth(c);
    await chat.pins.pin(user, c.req.param("id"), c.req.param("messageId"));
    return c.body(null, 204);
  });

  app.delete("/:id/pins/:messageId", async (c) => {
    const { user } = requireAuth(c);
    await chat.pins.unpin(user, c.req.param("id"), c.req.param("messageId"));
    return c.body(null, 204);
  });

  return app;
}
