/**
 * For pages only a signed-in person may see: lets them through with `c.get("auth")` typed
 * non-null, and sends anyone else to the login page, which brings them back here afterwards
 * (API routes answer 401 instead: `requireAuth` in session.ts).
 *
 * @example
 * const signedIn = requireSignIn();
 * app.get("/profile", signedIn, (c) => c.text(c.get("auth").user.username));
 */
import type { MiddlewareHandler } from "hono";
import type { Authenticated } from "../../lib/accounts/account_service.ts";
import type { AppEnv } from "../app_env.ts";

/** Hono's context for the handlers after `requireSignIn()`: the caller is known. */
export type SignedInEnv = {
  Variables: Omit<AppEnv["Variables"], "auth"> & { auth: Authenticated };
};

/** The middleware; see the module's comment. */
export function requireSignIn(): MiddlewareHandler<SignedInEnv> {
  return async function requireSignInMiddleware(c, next) {
    // The session middleware sets null for visitors: this check is what makes the type true.
    const auth: Authenticated | null = c.get("auth");
    if (auth) return await next();
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  };
}
