/** Channel history, sending, editing, deleting and read markers. */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import { readJsonObject } from "../read_json.ts";

export function channelsApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/:id/messages", async (c) => {
    const { user } = requireAuth(c);
    const messages = await chat.messages.list(user, c.req.param("id"), {
      before: c.req.query("before"),
      after: c.req.query("after"),
      around: c.req.query("around"),
      limit: c.req.query("limit"),
    });
    return c.json({ messages });
  });

  app.post("/:id/messages", async (c) => {
    const { user } = requireAuth(c);
    const { message } = await chat.messages.send(user, c.req.param("id"), await readJsonObject(c));
    return c.json({ message }, 201);
  });

  app.put("/:id/read", async (c) => {
    const { user } = requireAuth(c);
    await chat.reads.mark(user, c.req.param("id"), await readJsonObject(c));
    return c.body(null, 204);
  });

  return app;
}

export function messagesApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.patch("/:id", async (c) => {
    const { user } = requireAuth(c);
    return c.json({
      message: await chat.messages.edit(user, c.req.param("id"), await readJsonObject(c)),
    });
  });

  app.delete("/:id", async (c) => {
    const { user } = requireAuth(c);
    await chat.messages.delete(user, c.req.param("id"));
    return c.body(null, 204);
  });

  return app;
}
