/**
 * Session middleware: finds the caller from the session cookie or a Bearer token, verifies it
 * (signature, then the stored session, so logout is immediate) and sets `c.var.auth`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AccountService, Authenticated } from "../../lib/accounts.ts";
import { Unauthorized } from "../../lib/errors.ts";
import type { AppEnv } from "../app_env.ts";
import { SESSION_COOKIE } from "../session_cookie.ts";

/** The token a request carries: the Bearer header wins over the cookie. */
export function requestToken(c: Context): string | undefined {
  const header = c.req.header("Authorization");
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? getCookie(c, SESSION_COOKIE);
}

export function session(accounts: AccountService): MiddlewareHandler<AppEnv> {
  return async function sessionMiddleware(c, next) {
    const token = requestToken(c);
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
