/**
 * The caller's IP address, for per-IP limits. `X-Forwarded-For` is believed only when the
 * request comes from a proxy listed in `TRUST_PROXY`: any client can send that header, and
 * believing it would let a guesser pick a new address for every attempt.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/deno";
import type { ClientInfo } from "../lib/accounts/account_service.ts";
import type { AppEnv } from "./app_env.ts";

/**
 * The address the request came from: the socket's, or — through trusted proxies — the nearest
 * address in `X-Forwarded-For` that is not one of them (each proxy appends its peer's address).
 */
export function resolveClientIp(
  socketAddress: string,
  forwardedFor: string | undefined,
  trusted: ReadonlySet<string>,
): string {
  if (!forwardedFor || !trusted.has(socketAddress)) return socketAddress;
  const chain = forwardedFor.split(",").map((part) => part.trim()).filter((part) => part !== "");
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!trusted.has(chain[i])) return chain[i];
  }
  return chain[0] ?? socketAddress;
}

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // app.request() in tests has no connection.
    return "unknown";
  }
}

/** Sets `c.var.clientIp` once per request; `proxies` are TRUST_PROXY's addresses. */
export function clientAddress(proxies: readonly string[]): MiddlewareHandler<AppEnv> {
  const trusted = new Set(proxies);
  return async function clientAddressMiddleware(c, next) {
    c.set("clientIp", resolveClientIp(socketAddress(c), c.req.header("X-Forwarded-For"), trusted));
    await next();
  };
}

/** The caller's address and browser, for limits, the security log and the sessions list. */
export function clientInfo(c: Context): ClientInfo {
  return { ip: clientIp(c), userAgent: c.req.header("User-Agent") };
}

/** The caller's address (as the client-address middleware resolved it). */
export function clientIp(c: Context): string {
  return (c as Context<AppEnv>).get("clientIp") ?? socketAddress(c);
}
