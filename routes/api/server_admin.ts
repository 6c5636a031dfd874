/** PATCH / DELETE /api/servers/:id and the server's icon (PUT, GET). */
import { Hono } from "hono";
import { UnsupportedMediaType } from "../../lib/errors.ts";
import { IMAGE_TYPES } from "../../lib/images.ts";
import { SERVER_ICON_MAX_BYTES } from "../../lib/limits.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

/** Versioned URLs never change content; the bare URL must be revalidated. Members only: private. */
const IMMUTABLE = "private, max-age=31536000, immutable";
const REVALIDATE = "private, no-cache";

export function serverAdminApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.patch("/:id", async (c) => {
    const { user } = requireAuth(c);
    const input = await readJsonObject(c);
    return c.json({ server: await chat.serverAdmin.update(user, c.req.param("id"), input) });
  });

  app.delete("/:id", async (c) => {
    const { user } = requireAuth(c);
    await chat.serverAdmin.delete(user, c.req.param("id"));
    return c.body(null, 204);
  });

  app.put("/:id/icon", limitBody(SERVER_ICON_MAX_BYTES), async (c) => {
    const { user } = requireAuth(c);
    const type = c.req.header("Content-Type")?.split(";")[0].trim().toLowerCase();
    if (!type || !(IMAGE_TYPES as readonly string[]).includes(type)) {
      throw new UnsupportedMediaType(IMAGE_TYPES.join(", "), type);
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const server = await chat.serverAdmin.setIcon(user, c.req.param("id"), bytes, type);
    return c.json({ server });
  });

  app.get("/:id/icon", async (c) => {
    const { user } = requireAuth(c);
    // Streamed from the blob store as it is sent.
    const icon = await chat.serverAdmin.openIcon(user, c.req.param("id"));
    // Served images are inert: no script, no sniffing into HTML.
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", c.req.query("v") === icon.version ? IMMUTABLE : REVALIDATE);
    c.header("Content-Type", icon.contentType);
    c.header("Content-Length", String(icon.size));
    return c.body(icon.body);
  });

  return app;
}
