/** Roles and who holds them (API.md "Permissions and roles"). Mounted at /api/servers. */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function rolesApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/:id/roles", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ roles: await chat.roles.list(user, c.req.param("id")) });
  });

  app.post("/:id/roles", async (c) => {
    const { user } = requireAuth(c);
    const role = await chat.roles.create(user, c.req.param("id"), await readJsonObject(c));
    return c.json({ role }, 201);
  });

  app.patch("/:id/roles/:roleId", async (c) => {
    const { user } = requireAuth(c);
    const { id, roleId } = c.req.param();
    return c.json({ role: await chat.roles.update(user, id, roleId, await readJsonObject(c)) });
  });

  app.delete("/:id/roles/:roleId", async (c) => {
    const { user } = requireAuth(c);
    await chat.roles.delete(user, c.req.param("id"), c.req.param("roleId"));
    return c.body(null, 204);
  });

  app.put("/:id/members/:userId/roles/:roleId", async (c) => {
    const { user } = requireAuth(c);
    const { id, userId, roleId } = c.req.param();
    await chat.roles.setMemberRole(user, id, userId, roleId, true);
    return c.body(null, 204);
  });

  app.delete("/:id/members/:userId/roles/:roleId", async (c) => {
    const { user } = requireAuth(c);
    const { id, userId, roleId } = c.req.param();
    await chat.roles.setMemberRole(user, id, userId, roleId, false);
    return c.body(null, 204);
  });

  return app;
}
