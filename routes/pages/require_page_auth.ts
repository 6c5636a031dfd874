/** For pages: the caller, or a redirect to the login page that comes back here afterwards. */
import type { Context } from "hono";
import type { Authenticated } from "../../lib/accounts.ts";
import type { AppEnv } from "../app_env.ts";

export function pageAuth(c: Context<AppEnv>): Authenticated | Response {
  const auth = c.get("auth");
  if (auth) return auth;
  const url = new URL(c.req.url);
  return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
}
