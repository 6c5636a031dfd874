/** POST /api/me/totp, POST /api/me/totp/confirm, DELETE /api/me/totp (API.md "Accounts"). */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function twoFactorApi({ accounts }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post("/", async (c) => c.json(await accounts.startTwoFactor(requireAuth(c))));

  app.post("/confirm", async (c) => {
    const auth = requireAuth(c);
    const body = await readJsonObject(c);
    const recoveryCodes = await accounts.confirmTwoFactor(auth, body, clientIp(c));
    return c.json({ recoveryCodes });
  });

  app.delete("/", async (c) => {
    const auth = requireAuth(c);
    const body = await readJsonObject(c);
    await accounts.disableTwoFactor(auth, body, clientIp(c));
    return c.body(null, 204);
  });

  return app;
}
