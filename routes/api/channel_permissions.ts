/**
 * A channel's overwrites and the explanation of someone's permissions in it (API.md
 * "Permissions and roles"). Mounted at /api/channels.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function channelPermissionsApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.put("/:id/overwrites/:targetId", async (c) => {
    const { user } = requireAuth(c);
    const { id, targetId } = c.req.param();
    await chat.overwrites.put(user, id, targetId, await readJsonObject(c));
    return c.body(null, 204);
  });

  app.delete("/:id/overwrites/:targetId", async (c) => {
    const { user } = requireAuth(c);
    await chat.overwrites.delete(user, c.req.param("id"), c.req.param("targetId"));
    return c.body(null, 204);
  });

  app.get("/:id/permissions", async (c) => {
    const { user } = requireAuth(c);
    return c.json(
      await chat.overwrites.explain(user, c.req.param("id"), c.req.query("userId")),
    );
  });

  return app;
}
