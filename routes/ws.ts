/**
 * GET /ws: the WebSocket of API.md, through hono/deno's `upgradeWebSocket` (Deno.upgradeWebSocket
 * underneath). A foreign Origin is refused before the upgrade; the session cookie, if valid,
 * authenticates at once, otherwise the client has 10 s to send an `auth` frame.
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { Forbidden } from "../lib/errors.ts";
import type { AppEnv } from "./app_env.ts";
import type { AppDeps } from "./deps.ts";
import { isCrossOrigin } from "./middleware/same_origin.ts";

export function wsRoute({ config, openSocket }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get(
    "/ws",
    async (c, next) => {
      // Browsers always send Origin on a WebSocket handshake; other clients may omit it.
      const origin = c.req.header("Origin");
      if (origin !== undefined && isCrossOrigin(c.req.raw.headers, c.req.url, config.origin)) {
        throw new Forbidden(
          "WebSocket connections from other sites are not allowed.",
          "cross_origin_request",
        );
      }
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
        return c.json(
          { error: { code: "upgrade_required", message: "Connect with a WebSocket." } },
          426,
        );
      }
      await next();
    },
    upgradeWebSocket((c) => {
      const session = openSocket(c.get("auth"));
      return {
        onOpen: (_event, ws) => session.open(ws.raw as WebSocket),
        onMessage: (event) => void session.receive(event.data),
        onClose: () => session.closed(),
      };
    }, { idleTimeout: config.wsIdleTimeoutS }),
  );

  return app;
}
