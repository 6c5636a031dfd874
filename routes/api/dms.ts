/**
 * Direct messages (API.md "Direct messages"): `POST/GET /api/dms`, a group's recipients,
 * `DELETE /api/channels/:id` on a DM (closes it for the caller), and blocks at
 * `PUT/DELETE /api/users/:id/block`. Messages and the rest go through the channel routes.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function dmsApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post("/", async (c) => {
    const { user } = requireAuth(c);
    const { channel, created } = await chat.dms.open(user, await readJsonObject(c));
    return c.json({ channel }, created ? 201 : 200);
  });

  app.get("/", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ channels: await chat.dms.list(user) });
  });

  app.put("/:channelId/recipients/:userId", async (c) => {
    const { user } = requireAuth(c);
    await chat.dms.addRecipient(user, c.req.param("channelId"), c.req.param("userId"));
    return c.body(null, 204);
  });

  app.delete("/:channelId/recipients/:userId", async (c) => {
    const { user } = requireAuth(c);
    await chat.dms.removeRecipient(user, c.req.param("channelId"), c.req.param("userId"));
    return c.body(null, 204);
  });

  return app;
}

/**
 * `DELETE /api/channels/:id` for a DM closes it, `PATCH` names a group DM (200 `{channel}`);
 * any other channel goes on to its route.
 */
export function dmCloseApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.patch("/:id", async (c, next) => {
    const { user } = requireAuth(c);
    const id = c.req.param("id");
    // Only a DM's body is read here: a server channel's PATCH reads its own.
    if (!(await chat.dms.isDm(id))) return await next();
    const channel = await chat.dms.renameIfDm(user, id, await readJsonObject(c));
    return c.json({ channel });
  });
  app.delete("/:id", async (c, next) => {
    const { user } = requireAuth(c);
    if (!(await chat.dms.closeIfDm(user, c.req.param("id")))) return await next();
    return c.body(null, 204);
  });
  return app;
}

/** `PUT / DELETE /api/users/:id/block` → 204. */
export function blocksApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.put("/:id/block", async (c) => {
    const { user } = requireAuth(c);
    await chat.blocks.block(user, c.req.param("id"));
    return c.body(null, 204);
  });
  app.delete("/:id/block", async (c) => {
    const { user } = requireAuth(c);
    await chat.blocks.unblock(user, c.req.param("id"));
    return c.body(null, 204);
  });
  return app;
}
