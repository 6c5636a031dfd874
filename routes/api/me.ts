/**
 * GET/PATCH/DELETE /api/me, PUT /api/me/avatar, PUT /api/me/password, /api/me/sessions,
 * /api/me/totp and GET /api/me/export.
 */
import { Hono } from "hono";
import { UnsupportedMediaType } from "../../lib/errors.ts";
import { IMAGE_TYPES } from "../../lib/images.ts";
import { AVATAR_MAX_BYTES } from "../../lib/limits.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import { parseDmPolicy } from "../../lib/dms/dm_policy.ts";
import type { AppEnv } from "../app_env.ts";
import { clientIp } from "../client_ip.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";
import { clearSessionCookie } from "../session_cookie.ts";
import { dataExportApi } from "./data_export.ts";
import { sessionsApi } from "./sessions.ts";
import { twoFactorApi } from "./two_factor.ts";

export function meApi(deps: AppDeps) {
  const { accounts } = deps;
  const app = new Hono<AppEnv>();

  // The caller's own user also carries `dmPolicy` (API.md "Direct messages").
  app.get("/", async (c) => {
    const { user } = requireAuth(c);
    const dmPolicy = await deps.chat.messages.deps.store.findDmPolicy(user.id);
    return c.json({ user: { ...toPublicUser(user), dmPolicy } });
  });

  app.patch("/", async (c) => {
    const { user } = requireAuth(c);
    const body = await readJsonObject(c);
    const store = deps.chat.messages.deps.store;
    // Checked before anything is written: a bad dmPolicy changes nothing.
    const policy = body.dmPolicy === undefined ? undefined : parseDmPolicy(body.dmPolicy);
    const onlyPolicy = body.displayName === undefined && body.bio === undefined &&
      policy !== undefined;
    const profile = onlyPolicy ? toPublicUser(user) : await accounts.updateProfile(user.id, body);
    if (policy !== undefined) await store.setDmPolicy(user.id, policy);
    const dmPolicy = policy ?? await store.findDmPolicy(user.id);
    return c.json({ user: { ...profile, dmPolicy } });
  });

  app.delete("/", async (c) => {
    const auth = requireAuth(c);
    const body = await readJsonObject(c);
    await accounts.deleteAccount(auth, body, clientIp(c));
    clearSessionCookie(c, deps.config.origin);
    return c.body(null, 204);
  });

  app.put("/avatar", limitBody(AVATAR_MAX_BYTES), async (c) => {
    const { user } = requireAuth(c);
    const type = c.req.header("Content-Type")?.split(";")[0].trim().toLowerCase();
    if (!type || !(IMAGE_TYPES as readonly string[]).includes(type)) {
      throw new UnsupportedMediaType(IMAGE_TYPES.join(", "), type);
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    return c.json({ user: await accounts.setAvatar(user.id, bytes, type) });
  });

  app.put("/password", async (c) => {
    const auth = requireAuth(c);
    const body = await readJsonObject(c);
    await accounts.changePassword(auth, body, clientIp(c));
    return c.body(null, 204);
  });

  app.route("/sessions", sessionsApi(deps));
  app.route("/export", dataExportApi(deps));
  app.route("/totp", twoFactorApi(deps));

  return app;
}
