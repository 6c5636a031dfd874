/**
 * Uploads (API.md "Attachments"): `POST /api/channels/:id/attachments?filename=` with the raw
 * bytes as the body. The body is handed to the service as a stream (this route is exempt from
 * the JSON body limit, routes/app.ts): it is cut at ATTACHMENT_MAX_BYTES as it arrives, never
 * buffered whole. Also `GET /api/attachments/:id/signed-url`: a link to the file that works
 * without credentials for a while (lib/attachments/signed_urls.ts).
 */
import { Hono } from "hono";
import { HttpError, Invalid } from "../../lib/errors.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireAuth } from "../middleware/session.ts";
import type { AttachmentService } from "../../lib/attachments/upload_service.ts";

/** The service, or 404 when this instance has none (never in production: services.ts makes it). */
function serviceOf(deps: AppDeps): AttachmentService {
  if (!deps.chat.attachments) throw new HttpError(404, "not_found", "Uploads are off here.");
  return deps.chat.attachments;
}

/** The Content-Length a request declared, or null (chunked). */
function declaredLength(header: string | undefined): number | null {
  if (header === undefined) return null;
  if (!/^\d{1,16}$/.test(header)) throw new Invalid("invalid_attachment", "Bad Content-Length.");
  return Number(header);
}

export function uploadsApi(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.post("/:id/attachments", async (c) => {
    const { user } = requireAuth(c);
    const attachment = await serviceOf(deps).upload(user, c.req.param("id"), {
      filename: c.req.query("filename"),
      body: c.req.raw.body,
      length: declaredLength(c.req.header("Content-Length")),
    });
    return c.json({ attachment }, 201);
  });
  return app;
}

export function attachmentsApi(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get("/:id/signed-url", async (c) => {
    const { user } = requireAuth(c);
    return c.json(await serviceOf(deps).signedUrl(user, c.req.param("id")));
  });
  return app;
}
