/**
 * What makes Salon an installable app: the web app manifest, its PNG icons
 * (static/icons/, written by lib/assets/app_icons.ts) and the service worker, served from the
 * root (`/sw.js`) so its scope is the whole site (static/sw.js says what it does). Public and
 * the same for everyone: mounted before the session middleware.
 */
import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { APP_ICON_SIZES } from "../lib/assets/app_icons.ts";

const STATIC_ROOT = new URL("../static", import.meta.url).pathname;
/** The manifest's URL, for the page's `<link rel="manifest">`. */
export const MANIFEST_URL = "/manifest.webmanifest";
/** The service worker's URL (its scope is "/"). */
export const SERVICE_WORKER_URL = "/sw.js";
/** The app's colour (the logo's), for the manifest and the page's theme-color. */
export const THEME_COLOR = "#5865f2";

/** The web app manifest (W3C "Web Application Manifest"). */
export function webAppManifest() {
  return {
    id: "/chat",
    name: "Salon",
    short_name: "Salon",
    description: "Chat with your communities.",
    start_url: "/chat",
    scope: "/",
    display: "standalone",
    background_color: "#0f172a",
    theme_color: THEME_COLOR,
    icons: APP_ICON_SIZES.flatMap((size) => [
      { src: `/icons/icon-${size}.png`, sizes: `${size}x${size}`, type: "image/png" },
      {
        src: `/icons/maskable-${size}.png`,
        sizes: `${size}x${size}`,
        type: "image/png",
        purpose: "maskable",
      },
    ]),
  };
}

export function pwaRoutes() {
  const app = new Hono();
  app.get(MANIFEST_URL, (c) => {
    c.header("Content-Type", "application/manifest+json; charset=utf-8");
    c.header("Cache-Control", "no-cache");
    return c.body(JSON.stringify(webAppManifest()));
  });
  app.get(SERVICE_WORKER_URL, async (c, next) => {
    await next();
    // A worker's script is checked for updates on navigations: always from the network.
    c.header("Cache-Control", "no-cache");
    c.header("Content-Type", "text/javascript; charset=utf-8");
  }, serveStatic({ root: STATIC_ROOT, path: "sw.js" }));
  app.use("/icons/*", serveStatic({ root: STATIC_ROOT }));
  return app;
}
