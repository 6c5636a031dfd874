/**
 * Security headers on every response, with a Content-Security-Policy that allows no inline
 * script: island props travel as JSON and the one boot script is a file.
 */
import { secureHeaders } from "hono/secure-headers";

export function securityHeaders() {
  return secureHeaders({
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
    // Avatars are images served by us; nothing cross-origin is embedded.
    crossOriginEmbedderPolicy: false,
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
  });
}
