/**
 * CSRF protection: a state-changing request that a browser marks as coming from another origin
 * is refused with 403. Browsers send `Origin` on every cross-site POST (and `Sec-Fetch-Site`);
 * clients that are not browsers send neither and authenticate with a Bearer token instead.
 */
import type { MiddlewareHandler } from "hono";
import { Forbidden } from "../../lib/errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** True if the request's `Origin` (or `Sec-Fetch-Site`) says it comes from elsewhere. */
export function isCrossOrigin(headers: Headers, url: string, origin?: string): boolean {
  const expected = origin ?? new URL(url).origin;
  const sent = headers.get("Origin");
  if (sent !== null) return sent !== expected;
  const site = headers.get("Sec-Fetch-Site");
  return site === "cross-site" || site === "same-site";
}

export function sameOrigin(origin?: string): MiddlewareHandler {
  return async function sameOriginMiddleware(c, next) {
    if (!SAFE_METHODS.has(c.req.method) && isCrossOrigin(c.req.raw.headers, c.req.url, origin)) {
      throw new Forbidden("Cross-site requests are not allowed.", "cross_origin_request");
    }
    await next();
  };
}
