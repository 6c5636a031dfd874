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
import { Forbidden, RateLimited } from "../lib/errors.ts";
import type { AppEnv } from "./app_env.ts";
import type { AppDeps } from "./deps.ts";
import { isCrossOrigin } from "./middleware/same_origin.ts";
import { clientIp } from "./client_ip.ts";
import { WS_ADMISSION_RETRY_S } from "../lib/limits.ts";
import { SocketAdmission } from "../lib/realtime/socket_admission.ts";

export function wsRoute({ config, openSocket }: AppDeps) {
  const app = new Hono<AppEnv>();
  const admission = new SocketAdmission(config.rateLimits.perAddress);

  app.get(
    "/ws",
    (c) => {
      // Browsers always send Origin on a WebSocket handshake; other clients may omit it.
      const origin = c.req.header("Origin");
      if (origin !== undefined && isCrossOrigin(c.req.raw.headers, c.req.url, config)) {
        throw new Forbidden(
          "cross_origin_request",
          "WebSocket connections from other sites are not allowed.",
        );
      }
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
        return c.json(
          { error: { code: "upgrade_required", message: "Connect with a WebSocket." } },
          426,
        );
      }
      const auth = c.get("auth");
      const ticket = admission.admit(clientIp(c), auth !== null);
      if ("refused" in ticket) throw new RateLimited(WS_ADMISSION_RETRY_S, ticket.refused);
      const session = openSocket(auth, {
        onAuthenticated: ticket.authenticated,
        onFinished: ticket.closed,
      });
      let upgraded;
      try {
        upgraded = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: config.wsIdleTimeoutS });
      } catch (error) {
        session.closed();
        throw error;
      }
      const { socket, response } = upgraded;
      socket.onopen = () => session.open(socket);
      socket.onmessage = (event) => void session.receive(event.data);
      socket.onclose = () => session.closed();
      return response;
    },
  );

  return app;
}
