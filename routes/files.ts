/**
 * Serving uploaded files: `GET /files/:attachmentId/:filename` (and `/files/:id/thumbnail/:name`
 * for an image's WebP thumbnail), to whoever may read the channel (cookie or bearer token) or
 * holds a signed URL (`?exp=&sig=`). The name in the path is only for the browser.
 *
 * What keeps a file from acting in Salon's origin: only images Salon re-encoded (PNG, JPEG,
 * WebP, GIF) are served inline, as the type read from their bytes; everything else, SVG and HTML
 * included, is a download (`Content-Disposition: attachment`), text as `text/plain;
 * charset=utf-8`. Every file also carries `X-Content-Type-Options: nosniff` and a sandboxing
 * CSP that allows no script, style or request (an image shown alone may draw itself).
 *
 * Ranges: one `bytes=` range gets 206 (video seeking, resumed downloads), one past the end 416;
 * several ranges, or a malformed header, get the whole file (RFC 9110 lets a server ignore
 * Range). A file never changes under its URL (a new upload is a new id): cached for a year.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { BlobRange } from "../db/blob_store.ts";
import { BlobRangeError } from "../db/blob_store.ts";
import { isInlineImage, servedContentType } from "../lib/attachments/file_typing.ts";
import type { OpenedFile } from "../lib/attachments/upload_service.ts";
import { HttpError } from "../lib/errors.ts";
import type { AppEnv } from "./app_env.ts";
import type { AppDeps } from "./deps.ts";

const FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'";

/** One range of a `Range` header, or undefined (none, several, or malformed: the whole file). */
export function parseRange(header: string | undefined): BlobRange | undefined {
  const match = header?.trim().match(/^bytes=(\d{0,15})-(\d{0,15})$/);
  if (!match) return undefined;
  const [, start, end] = match;
  if (start === "" && end === "") return undefined;
  if (start === "") return { suffix: Number(end) };
  if (end !== "" && Number(end) < Number(start)) return undefined;
  return end === "" ? { start: Number(start) } : { start: Number(start), end: Number(end) };
}

/** `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback and the real name. */
function disposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function respond(file: OpenedFile): Response {
  const { attachment, blob, thumbnail } = file;
  // An image shows inline only once Salon re-encoded it (its metadata gone): `width` says so.
  const inline = thumbnail || (isInlineImage(attachment.contentType) && attachment.width !== null);
  const headers = new Headers({
    "Content-Type": thumbnail ? "image/webp" : servedContentType(attachment.contentType),
    "Content-Disposition": disposition(
      inline ? "inline" : "attachment",
      thumbnail ? `${attachment.filename}.webp` : attachment.filename,
    ),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": FILE_CSP,
    "Cache-Control": "private, max-age=31536000, immutable",
    "Accept-Ranges": "bytes",
    "Cross-Origin-Resource-Policy": "same-origin",
  });
  if (blob.range) {
    headers.set("Content-Range", `bytes ${blob.range.start}-${blob.range.end}/${blob.size}`);
    headers.set("Content-Length", String(blob.range.end - blob.range.start + 1));
    return new Response(blob.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(blob.size));
  return new Response(blob.body, { status: 200, headers });
}

export function filesRoute(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const serve = (thumbnail: boolean) => async (c: Context<AppEnv>) => {
    const service = deps.chat.attachments;
    if (!service) throw new HttpError(404, "not_found", "No such file.");
    try {
      const file = await service.open(c.get("auth")?.user ?? null, c.req.param("id")!, {
        thumbnail,
        exp: c.req.query("exp"),
        sig: c.req.query("sig"),
        range: parseRange(c.req.header("Range")),
      });
      return respond(file);
    } catch (error) {
      if (!(error instanceof BlobRangeError)) throw error;
      return new Response(null, {
        status: 416,
        headers: { "Content-Range": `bytes */${error.size}`, "X-Content-Type-Options": "nosniff" },
      });
    }
  };
  app.get("/files/:id/thumbnail/:filename", serve(true));
  app.get("/files/:id/:filename", serve(false));
  return app;
}
