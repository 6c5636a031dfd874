/**
 * `GET /api/me/email` → `{email}` and `PUT /api/me/email {email, currentPassword}` → `{email}`:
 * the address password reset links are mailed to (null or "" removes it; a wrong password is
 * `401 invalid_credentials`). Kept out of the public `user`, which other people see.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function meEmailApi({ accounts }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", (c) => c.json({ email: requireAuth(c).user.email ?? null }));

  app.put("/", async (c) => {
    const body = await readJsonObject(c);
    const input = { email: body.email, currentPassword: body.currentPassword };
    return c.json({ email: await accounts.setEmail(requireAuth(c), input, clientIp(c)) });
  });

  return app;
}
