/**
 * Instance administration (API.md "Accounts"): `GET /api/admin/users`, `PATCH
 * /api/admin/users/:id {suspended}`, `POST /api/admin/users/:id/password-reset`. Everyone but
 * the administrators of `ADMIN_USERNAMES` gets 403 (lib/accounts/admin_service.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";
import { linkOrigin } from "../middleware/same_origin.ts";

export function adminApi({ accounts, config }: AppDeps) {
  const { admin } = accounts;
  const app = new Hono<AppEnv>();

  app.get("/users", async (c) => {
    const { user } = requireAuth(c);
    const query = { after: c.req.query("after"), limit: c.req.query("limit") };
    return c.json(await admin.listUsers(user, query));
  });

  app.patch("/users/:id", async (c) => {
    const { user } = requireAuth(c);
    const body = await readJsonObject(c);
    const updated = await admin.setSuspended(user, c.req.param("id"), body.suspended, clientIp(c));
    return c.json({ user: updated });
  });

  app.post("/users/:id/password-reset", async (c) => {
    const { user } = requireAuth(c);
    const url = await admin.createResetLink(
      user,
      c.req.param("id"),
      linkOrigin(c.req.url, config),
      clientIp(c),
    );
    return c.json({ url }, 201);
  });

  return app;
}
