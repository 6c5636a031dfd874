/**
 * A server's custom emoji (API.md "Conversations"): GET the list and each image (members),
 * POST `?name=` with the raw image as the body (≤ CUSTOM_EMOJI_MAX_BYTES, else 413) and DELETE
 * (`manage_server`).
 */
import { Hono } from "hono";
import { CUSTOM_EMOJI_MAX_BYTES } from "../../lib/limits.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireAuth } from "../middleware/session.ts";

export function emojisApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/:id/emojis", async (c) => {
    const { user } = requireAuth(c);
    return c.json({ emojis: await chat.emojis.list(user, c.req.param("id")) });
  });

  app.post("/:id/emojis", limitBody(CUSTOM_EMOJI_MAX_BYTES), async (c) => {
    const { user } = requireAuth(c);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const emoji = await chat.emojis.create(user, c.req.param("id"), c.req.query("name"), bytes);
    return c.json({ emoji }, 201);
  });

  app.get("/:id/emojis/:emojiId", async (c) => {
    const { user } = requireAuth(c);
    // Streamed from the blob store as it is sent.
    const image = await chat.emojis.openImage(user, c.req.param("id"), c.req.param("emojiId"));
    // Served images are inert: no script, no sniffing into HTML. An emoji never changes (a new
    // one gets a new id), so members' browsers may keep it.
    c.header("Content-Security-Policy", "default-src 'none'; sandbox");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "private, max-age=31536000, immutable");
    c.header("Content-Type", image.contentType);
    c.header("Content-Length", String(image.size));
    return c.body(image.body);
  });

  app.delete("/:id/emojis/:emojiId", async (c) => {
    const { user } = requireAuth(c);
    await chat.emojis.delete(user, c.req.param("id"), c.req.param("emojiId"));
    return c.body(null, 204);
  });

  return app;
}
