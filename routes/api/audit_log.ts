/** GET /api/servers/:id/audit-log?before=&limit=&action=&actorId= (`view_audit_log`). */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";

export function auditLogApi({ chat }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/:id/audit-log", async (c) => {
    const { user } = requireAuth(c);
    const entries = await chat.auditLog.list(user, c.req.param("id"), {
      before: c.req.query("before"),
      limit: c.req.query("limit"),
      action: c.req.query("action"),
      actorId: c.req.query("actorId"),
    });
    return c.json({ entries });
  });

  return app;
}
