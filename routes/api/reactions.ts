/**
 * Reactions on a message (API.md "Conversations"): PUT/DELETE one's own, DELETE someone's
 * (`manage_messages`), GET who reacted. The emoji is URL-encoded in the path.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";

export function reactionsApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.put("/:id/reactions/:emoji", async (c) => {
    const { user } = requireAuth(c);
    await chat.reactions.add(user, c.req.param("id"), c.req.param("emoji"));
    return c.body(null, 204);
  });

  app.delete("/:id/reactions/:emoji", async (c) => {
    const { user } = requireAuth(c);
    await chat.reactions.removeOwn(user, c.req.param("id"), c.req.param("emoji"));
    return c.body(null, 204);
  });

  app.delete("/:id/reactions/:emoji/:userId", async (c) => {
    const { user } = requireAuth(c);
    await chat.reactions.removeOther(
      user,
      c.req.param("id"),
      c.req.param("emoji"),
      c.req.param("userId"),
    );
    return c.body(null, 204);
  });

  app.get("/:id/reactions/:emoji", async (c) => {
    const { user } = requireAuth(c);
    const users = await chat.reactions.users(user, c.req.param("id"), c.req.param("emoji"), {
      after: c.req.query("after"),
      limit: c.req.query("limit"),
    });
    return c.json({ users });
  });

  return app;
}
