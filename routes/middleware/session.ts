/**
 * Session middleware: finds the caller from the session cookie or a Bearer token, verifies it
 * (signature, then the stored session, so logout is immediate) and sets `c.var.auth`.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AccountService, Authenticated } from "../../lib/accounts/account_service.ts";
import { HttpError, Unauthorized } from "../../lib/errors.ts";
import type { AppEnv } from "../app_env.ts";
import { clearSessionCookie, readSessionCookie } from "../session_cookie.ts";

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
    c.set("auth", token ? await authenticateFor(c, accounts, token, origin) : null);
    await next();
  };
}

/**
 * The token's identity. A suspended account's token answers `403 suspended` to the API and the
 * socket; for pages and sign-in it is dropped (and its cookie cleared), or that browser could
 * not even reach the login page to sign in as someone else.
 */
async function authenticateFor(
  c: Context<AppEnv>,
  accounts: AccountService,
  token: string,
  origin: string | undefined,
): Promise<Authenticated | null> {
  try {
    return await accounts.authenticate(token);
  } catch (error) {
    const path = c.req.path;
    const strict = (path.startsWith("/api/") && !path.startsWith("/api/auth/")) || path === "/ws";
    if (strict || !(error instanceof HttpError) || error.code !== "suspended") throw error;
    clearSessionCookie(c, origin);
    return null;
  }
}

/** The caller, or a 401 for API routes. */
export function requireAuth(c: Context<AppEnv>): Authenticated {
  const auth = c.get("auth");
  if (!auth) throw new Unauthorized();
  return auth;
}
