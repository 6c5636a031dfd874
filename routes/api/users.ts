/**
 * GET /api/users/:id: the public user, for anyone sharing a server with them (else 404).
 * GET /api/users/:id/avatar: the uploaded image, or a generated default (never 404 for a user).
 */
import { Hono } from "hono";
import { defaultAvatarSvg } from "../../lib/images.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";

/** Versioned URLs never change content; the bare URL must be revalidated. */
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

export function usersApi({ accounts, chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/:id", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ user: await chat.users.get(user, c.req.param("id")) });
  });

  app.get("/:id/avatar", async (c) => {
    const user = await accounts.getUser(c.req.param("id"));
    // Streamed from the blob store as it is sent.
    const avatar = await accounts.openAvatar(user.id);
    const versioned = c.req.query("v") !== undefined && c.req.query("v") === avatar?.version;
    // Served images are inert: no script, no sniffing into HTML.
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", versioned ? IMMUTABLE : REVALIDATE);
    if (!avatar) {
      c.header("Content-Type", "image/svg+xml; charset=utf-8");
      return c.body(defaultAvatarSvg(user.id, user.displayName));
    }
    c.header("Content-Type", avatar.contentType);
    c.header("Content-Length", String(avatar.size));
    return c.body(avatar.body);
  });

  return app;
}
