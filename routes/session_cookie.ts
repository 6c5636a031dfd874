/**
 * The session cookie: HttpOnly, SameSite=Lax. Over https it is `__Host-salon_session` (Secure,
 * path /, no Domain): browsers refuse that name from any other host or from plain http, so a
 * sibling subdomain cannot plant a session of its choosing ("cookie tossing").
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "salon_session";
/** The name over https. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

function isHttps(c: Context, origin: string | undefined): boolean {
  return (origin ?? c.req.url).startsWith("https:");
}

export function setSessionCookie(
  c: Context,
  token: string,
  expiresAt: Date,
  origin: string | undefined,
): void {
  const secure = isHttps(c, origin);
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure,
    expires: expiresAt,
    // Hono writes the name with its prefix and enforces the prefix's rules.
    ...(secure ? { prefix: "host" as const } : {}),
  });
}

export function clearSessionCookie(c: Context, origin: string | undefined): void {
  const secure = isHttps(c, origin);
  deleteCookie(c, SESSION_COOKIE, {
    path: "/",
    secure,
    ...(secure ? { prefix: "host" as const } : {}),
  });
}

/** The session token the request's cookie carries: only the prefixed name over https. */
export function readSessionCookie(c: Context, origin: string | undefined): string | undefined {
  if (isHttps(c, origin)) return getCookie(c, SESSION_COOKIE, "host");
  return getCookie(c, SESSION_COOKIE);
}
