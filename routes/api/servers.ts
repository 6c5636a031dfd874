/** Servers and their channels (API.md "Servers, channels, messages"); invites: invites.ts. */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function serversApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post("/", async (c) => {
    const { user } = requireAuth(c);
    return c.json(await chat.servers.create(user, await readJsonObject(c)), 201);
  });

  app.get("/", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ servers: await chat.servers.list(user) });
  });

  app.get("/:id", async (c) => {
    const { user } = requireAuth(c);
    return c.json(await chat.servers.get(user, c.req.param("id")));
  });

  app.delete("/:id/members/me", async (c) => {
    const { user } = requireAuth(c);
    await chat.servers.leave(user, c.req.param("id"));
    return c.body(null, 204);
  });

  app.post("/:id/channels", async (c) => {
    const { user } = requireAuth(c);
    const channel = await chat.channels.create(user, c.req.param("id"), await readJsonObject(c));
    return c.json({ channel }, 201);
  });

  return app;
}
