/**
 * Session middleware: finds the caller from the session cookie or a Bearer token, verifies it
 * (signature, then the stored session, so logout is immediate) and sets `c.var.auth`.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AccountService, Authenticated } from "../../lib/accounts/account_service.ts";
import { Unauthorized } from "../../lib/errors.ts";
import type { AppEnv } from "../app_env.ts";
import { readSessionCookie } from "../session_cookie.ts";

/** The token a request carries: the Bearer header wins over the cookie. */
export function requestToken(c: Context, origin?: string): string | undefined {
  const header = c.req.header("Authorization");
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? readSessionCookie(c, origin);
}

/** `origin` is the configured public origin: over https only the `__Host-` cookie counts. */
export function session(accounts: AccountService, origin?: string): MiddlewareHandler<AppEnv> {
  return async function sessionMiddleware(c, next) {
    const token = requestToken(c, origin);
    c.set("auth", token ? await accounts.authenticate(token) : null);
    await next();
  };
}

/** The caller, or a 401 for API routes. */
export function requireAuth(c: Context<AppEnv>): Authenticated {
  const auth = c.get("auth");
  if (!auth) throw new Unauthorized();
  return auth;
}
