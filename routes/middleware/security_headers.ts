/**
 * Security headers on every response, with a Content-Security-Policy that allows no inline
 * script: island props travel as JSON and the one boot script is a file.
 *
 * A route may set a stricter policy of its own (avatars are served with `sandbox`): Hono's
 * `secureHeaders` writes its headers after the handler and would overwrite it, so the route's
 * policy is put back. Answers that belong to one signed-in person (or carry their token) are
 * never stored by a browser or proxy cache unless the route chose a caching policy itself.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../app_env.ts";

const CSP = "Content-Security-Policy";

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const defaults = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:", "blob:"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    // Powerful features the app never uses are off for it and anything it could embed.
    permissionsPolicy: {
      camera: [],
      microphone: [],
      geolocation: [],
      payment: [],
      usb: [],
      serial: [],
      bluetooth: [],
      hid: [],
      midi: [],
    },
    // Avatars are images served by us; nothing cross-origin is embedded.
    crossOriginEmbedderPolicy: false,
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
  });
  return async function securityHeadersMiddleware(c, next) {
    let routePolicy: string | null = null;
    await defaults(c, async () => {
      await next();
      routePolicy = c.res.headers.get(CSP);
    });
    if (routePolicy) c.res.headers.set(CSP, routePolicy);
    const personal = c.get("auth") || c.res.headers.has("Set-Cookie");
    if (personal && !c.res.headers.has("Cache-Control")) {
      c.res.headers.set("Cache-Control", "no-store");
    }
  };
}
