/** GET /api/search (API.md "Search"): a thin handler over lib/search/search_service.ts. */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";

export function searchApi({ chat }: AppDeps) {
  const { search } = chat;
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const { user } = requireAuth(c);
    const { q, serverId, limit, before } = c.req.query();
    return c.json(await search.search(user, { q, serverId, limit, before }));
  });

  return app;
}
