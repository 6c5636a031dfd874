/** The session cookie: HttpOnly, SameSite=Lax, Secure when the app is served over https. */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "salon_session";

function isHttps(c: Context, origin: string | undefined): boolean {
  return (origin ?? c.req.url).startsWith("https:");
}

export function setSessionCookie(
  c: Context,
  token: string,
  expiresAt: Date,
  origin: string | undefined,
): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: isHttps(c, origin),
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context, origin: string | undefined): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c, origin) });
}
