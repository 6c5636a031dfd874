/**
 * `GET /api/me/email` → `{email}` and `PUT /api/me/email {email}` → `{email}`: the address
 * password reset links are mailed to (null or "" removes it). Kept out of the public `user`,
 * which other people see.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function meEmailApi({ accounts }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", (c) => c.json({ email: requireAuth(c).user.email ?? null }));

  app.put("/", async (c) => {
    const { user } = requireAuth(c);
    const body = await readJsonObject(c);
    return c.json({ email: await accounts.setEmail(user.id, body.email) });
  });

  return app;
}
