/**
 * CSRF protection: a state-changing request that a browser marks as coming from another origin
 * is refused with 403. Browsers send `Origin` on every cross-site POST (and `Sec-Fetch-Site`);
 * clients that are not browsers send neither and authenticate with a Bearer token instead.
 *
 * With `ORIGIN` set, that is the one origin accepted. Without it, the request's own `Host` must
 * not be trusted (a rebound DNS name would pass for "same origin"): only the loopback names with
 * the port the request reached, or the address the server is bound to (`HOST`), are accepted.
 */
import type { MiddlewareHandler } from "hono";
import type { Config } from "../../lib/config.ts";
import { Forbidden } from "../../lib/errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/** The settings that decide which origins are this app's own. */
export type OriginSettings = Pick<Config, "origin" | "host">;

/** The origins a request to `url` may come from. */
export function ownOrigins(url: string, { origin, host }: OriginSettings): Set<string> {
  if (origin) return new Set([origin]);
  const { protocol, port } = new URL(url);
  const suffix = port ? `:${port}` : "";
  const names = WILDCARD_HOSTS.has(host) ? LOOPBACK_NAMES : [...LOOPBACK_NAMES, bracketed(host)];
  return new Set(names.map((name) => `${protocol}//${name}${suffix}`));
}

/**
 * The origin to put in links the app hands out (invites): `ORIGIN`, or the request's own origin
 * only when it is one of the app's (never a Host header someone chose), else localhost.
 */
export function linkOrigin(url: string, settings: OriginSettings): string {
  const own = ownOrigins(url, settings);
  const requested = new URL(url).origin;
  return own.has(requested) ? requested : [...own][0];
}

function bracketed(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** True if the request's `Origin` (or `Sec-Fetch-Site`) says it comes from elsewhere. */
export function isCrossOrigin(headers: Headers, url: string, settings: OriginSettings): boolean {
  const sent = headers.get("Origin");
  if (sent !== null) return !ownOrigins(url, settings).has(sent);
  const site = headers.get("Sec-Fetch-Site");
  return site === "cross-site" || site === "same-site";
}

export function sameOrigin(settings: OriginSettings): MiddlewareHandler {
  const hint = settings.origin
    ? ""
    : " Without ORIGIN set, only localhost and 127.0.0.1 are accepted: set ORIGIN to the public origin.";
  return async function sameOriginMiddleware(c, next) {
    if (!SAFE_METHODS.has(c.req.method) && isCrossOrigin(c.req.raw.headers, c.req.url, settings)) {
      throw new Forbidden("cross_origin_request", `Cross-site requests are not allowed.${hint}`);
    }
    await next();
  };
}
