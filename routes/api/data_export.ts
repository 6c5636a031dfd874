/** GET /api/me/export: the signed-in user's data as a ZIP, streamed as it is written. */
import { Hono } from "hono";
import { dataExportFilename } from "../../lib/accounts/data_export_service.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";

export function dataExportApi({ accounts }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const { user } = requireAuth(c);
    const headers = {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${dataExportFilename(user)}"`,
      "Cache-Control": "no-store",
    };
    // Hono answers HEAD through this GET handler and drops the body unread: an export started
    // here would never finish and would hold the user's one slot. HEAD says what GET would.
    if (c.req.method === "HEAD") {
      await accounts.dataExport.admit(user);
      return c.body(null, 200, headers);
    }
    return c.body(await accounts.dataExport.start(user), 200, headers);
  });

  return app;
}
