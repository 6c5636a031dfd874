/**
 * The one place errors become responses: API routes get the JSON error shape of the contract,
 * pages get a small HTML page. Anything that is not an HttpError is a bug: logged, and answered
 * with a 500 that reveals nothing.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { HttpError, NotFound, PayloadTooLarge, RateLimited } from "../lib/errors.ts";
import type { AppEnv } from "./app_env.ts";
import { renderPage } from "./render_page.tsx";
import { ErrorPage } from "../components/ErrorPage.tsx";
import { isStoreUnavailable, UNAVAILABLE_MESSAGE } from "../db/unavailable.ts";

function isApi(c: Context): boolean {
  const path = new URL(c.req.url).pathname;
  return path.startsWith("/api/") || path === "/ws";
}

function respond(c: Context<AppEnv>, error: HttpError): Response {
  if (error instanceof RateLimited) c.header("Retry-After", String(error.retryAfterSeconds));
  if (isApi(c)) {
    return c.json({ error: { code: error.code, message: error.message } }, error.status);
  }
  return c.html(
    renderPage({
      title: "Error",
      body: <ErrorPage status={error.status} message={error.message} />,
    }),
    error.status,
  );
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof HttpError) return respond(c, error);
  // Hono's own body limit and parsers throw HTTPException; keep their status, use our shape.
  if (error instanceof HTTPException && error.status === 413) {
    return respond(c, new PayloadTooLarge(0));
  }
  if (isStoreUnavailable(error)) {
    c.header("Retry-After", "1");
    const body = { error: { code: "unavailable", message: UNAVAILABLE_MESSAGE } };
    return isApi(c) ? c.json(body, 503) : c.text(UNAVAILABLE_MESSAGE, 503);
  }
  console.error("Unhandled error:", error);
  const body = { error: { code: "internal_error", message: "Something went wrong on our side." } };
  return isApi(c) ? c.json(body, 500) : c.text(body.error.message, 500);
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  respond(c, new NotFound("not_found", isApi(c) ? "No such route." : "This page does not exist."));
