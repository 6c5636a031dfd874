/**
 * GET /ws: the WebSocket of API.md, on `Deno.upgradeWebSocket`. A foreign Origin is refused
 * before the upgrade; the session cookie, if valid, authenticates at once, otherwise the client
 * has 10 s to send an `auth` frame.
 *
 * The socket's handlers are set here directly rather than through hono/deno's helper: sockets
 * are many and idle ones should cost little, and the helper keeps a context object, a URL and
 * four closures per socket that nothing here uses (measured: `deno task bench`, idle).
 */
import { Hono } from "hono";
import { Forbidden } from "../lib/errors.ts";
import type { AppEnv } from "./app_env.ts";
import type { AppDeps } from "./deps.ts";
import { isCrossOrigin } from "./middleware/same_origin.ts";

export function wsRoute({ config, openSocket }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get(
    "/ws",
    (c) => {
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
      const session = openSocket(c.get("auth"));
      const { socket, response } = Deno.upgradeWebSocket(c.req.raw, {
        idleTimeout: config.wsIdleTimeoutS,
      });
      socket.onopen = () => session.open(socket);
      socket.onmessage = (event) => void session.receive(event.data);
      socket.onclose = () => session.closed();
      return response;
    },
  );

  return app;
}
