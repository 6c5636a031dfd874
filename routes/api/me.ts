/** GET/PATCH /api/me and PUT /api/me/avatar. */
import { Hono } from "hono";
import { UnsupportedMediaType } from "../../lib/errors.ts";
import { IMAGE_TYPES } from "../../lib/images.ts";
import { AVATAR_MAX_BYTES } from "../../lib/limits.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function meApi({ accounts }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", (c) => c.json({ user: toPublicUser(requireAuth(c).user) }));

  app.patch("/", async (c) => {
    const { user } = requireAuth(c);
    const body = await readJsonObject(c);
    return c.json({ user: await accounts.updateProfile(user.id, body) });
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

  return app;
}
