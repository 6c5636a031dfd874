/** POST /api/auth/register, /api/auth/login, /api/auth/logout (API.md "Authentication"). */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { clientInfo, clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { readJsonObject } from "../read_json.ts";
import { clearSessionCookie, setSessionCookie } from "../session_cookie.ts";

export function authApi({ accounts, config }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post("/register", async (c) => {
    const body = await readJsonObject(c);
    const result = await accounts.register(body, clientInfo(c));
    setSessionCookie(c, result.token, result.expiresAt, config.origin);
    return c.json({ user: result.user, token: result.token }, 201);
  });

  app.post("/login", async (c) => {
    const body = await readJsonObject(c);
    const result = await accounts.login(body, clientInfo(c));
    setSessionCookie(c, result.token, result.expiresAt, config.origin);
    return c.json({ user: result.user, token: result.token });
  });

  app.post("/logout", async (c) => {
    const auth = c.get("auth");
    if (auth) await accounts.logout(auth.sessionId, clientIp(c));
    clearSessionCookie(c, config.origin);
    return c.body(null, 204);
  });

  return app;
}
