/**
 * The Hono application: middleware in order, then the API and page routes.
 * `createApp` takes its dependencies so tests build it over any store.
 */
import { Hono } from "hono";
import { compress } from "hono/compress";
import { serveStatic } from "hono/deno";
import { JSON_BODY_MAX_BYTES } from "../lib/limits.ts";
import type { AppEnv } from "./app_env.ts";
import type { AppDeps } from "./deps.ts";
import { notFound, onError } from "./error_handler.tsx";
import { clientAddress } from "./client_ip.ts";
import { limitBody } from "./middleware/body_limit.ts";
import { sameOrigin } from "./middleware/same_origin.ts";
import { securityHeaders } from "./middleware/security_headers.ts";
import { session } from "./middleware/session.ts";
import { authApi } from "./api/auth.ts";
import { meApi } from "./api/me.ts";
import { meEmailApi } from "./api/me_email.ts";
import { adminApi } from "./api/admin.ts";
import { usersApi } from "./api/users.ts";
import { serversApi } from "./api/servers.ts";
import { invitesApi, serverInvitesApi } from "./api/invites.ts";
import { serverAdminApi } from "./api/server_admin.ts";
import { moderationApi } from "./api/moderation.ts";
import { auditLogApi } from "./api/audit_log.ts";
import { rolesApi } from "./api/roles.ts";
import { channelsApi, messagesApi } from "./api/messages.ts";
import { reactionsApi } from "./api/reactions.ts";
import { pinsApi } from "./api/pins.ts";
import { emojisApi } from "./api/emojis.ts";
import { channelAdminApi } from "./api/channel_admin.ts";
import { channelPermissionsApi } from "./api/channel_permissions.ts";
import { searchApi } from "./api/search.ts";
import { attachmentsApi, uploadsApi } from "./api/attachments.ts";
import { filesRoute } from "./files.ts";
import { blocksApi, dmCloseApi, dmsApi } from "./api/dms.ts";
import { wsRoute } from "./ws.ts";
import { notificationsApi } from "./api/notifications.ts";
import { pushApi } from "./api/push.ts";
import { pwaRoutes } from "./pwa.ts";
import { authPages } from "./pages/auth_pages.tsx";
import { chatPage } from "./pages/chat_page.tsx";
import { dmPage } from "./pages/dm_page.tsx";
import { chatActions } from "./pages/chat_actions.tsx";
import { invitePage } from "./pages/invite_page.tsx";
import { leavePage } from "./pages/leave_page.tsx";
import { searchPage } from "./pages/search_page.tsx";
import { profilePage } from "./pages/profile_page.tsx";
import { settingsPage } from "./pages/settings_page.tsx";
import { forgotPasswordPage } from "./pages/forgot_password_page.tsx";
import { passwordResetPage } from "./pages/password_reset_page.tsx";
import { adminPage } from "./pages/admin_page.tsx";

const STATIC_ROOT = new URL("../static", import.meta.url).pathname;
/** API routes that bound their bodies themselves (images; uploads, read as a stream). */
const OWN_BODY_LIMIT =
  /^\/api\/(me\/avatar|servers\/[^/]+\/(icon|emojis)|channels\/[^/]+\/attachments)$/;

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);

  app.use(securityHeaders());
  // Pages are compressed as they stream out; scripts and styles were compressed at build time.
  app.use(compress({ contentTypeFilter: /^text\/html/ }));
  app.use("/build/*", async (c, next) => {
    await next();
    // Bundle names are stable across builds, so browsers revalidate rather than trust a cache.
    c.header("Cache-Control", "no-cache");
  });
  app.use("/build/*", serveStatic({ root: STATIC_ROOT, precompressed: true }));
  app.get("/favicon.svg", serveStatic({ root: STATIC_ROOT, path: "favicon.svg" }));
  app.get("/logo.svg", serveStatic({ root: STATIC_ROOT, path: "logo.svg" }));
  // Not built (it runs before the page paints), so compressed here: it counts in the chat
  // page's JavaScript budget.
  app.get(
    "/theme.js",
    compress({ threshold: 0 }),
    serveStatic({ root: STATIC_ROOT, path: "theme.js" }),
  );
  app.get("/favicon.ico", (c) => c.redirect("/favicon.svg", 301));
  // The web app manifest, its icons and the service worker (public, the same for everyone).
  app.route("/", pwaRoutes());

  app.use(clientAddress(deps.config.trustProxy));
  app.use(sameOrigin(deps.config));
  app.use(session(deps.accounts, deps.config.origin));

  // The avatar and icon routes set their own, larger limit; every other API body is small JSON.
  app.use("/api/*", async (c, next) => {
    if (OWN_BODY_LIMIT.test(c.req.path)) return await next();
    return await limitBody(JSON_BODY_MAX_BYTES)(c, next);
  });
  app.route("/api/auth", authApi(deps));
  app.route("/api/me/email", meEmailApi(deps));
  app.route("/api/me/notifications", notificationsApi(deps));
  app.route("/api/push", pushApi(deps));
  app.route("/api/me", meApi(deps));
  app.route("/api/admin", adminApi(deps));
  app.route("/api/users", usersApi(deps));
  app.route("/api/users", blocksApi(deps));
  app.route("/api/dms", dmsApi(deps));
  // serversApi first: its DELETE /:id/members/me must win over a kick's /:id/members/:userId.
  app.route("/api/servers", serversApi(deps));
  app.route("/api/servers", serverInvitesApi(deps));
  app.route("/api/servers", serverAdminApi(deps));
  app.route("/api/servers", moderationApi(deps));
  app.route("/api/servers", auditLogApi(deps));
  app.route("/api/servers", rolesApi(deps));
  app.route("/api/servers", emojisApi(deps));
  app.route("/api/invites", invitesApi(deps));
  // Before channelAdminApi: DELETE /api/channels/:id on a DM closes it (others go on).
  app.route("/api/channels", dmCloseApi(deps));
  app.route("/api/channels", channelsApi(deps));
  app.route("/api/channels", channelAdminApi(deps));
  app.route("/api/channels", channelPermissionsApi(deps));
  app.route("/api/channels", pinsApi(deps));
  app.route("/api/messages", messagesApi(deps));
  app.route("/api/messages", reactionsApi(deps));
  app.route("/api/search", searchApi(deps));
  app.route("/api/channels", uploadsApi(deps));
  app.route("/api/attachments", attachmentsApi(deps));
  app.route("/", filesRoute(deps));
  app.route("/", wsRoute(deps));

  app.get("/", (c) => c.redirect(c.get("auth") ? "/chat" : "/login", 303));
  app.route("/", authPages(deps));
  app.route("/", passwordResetPage(deps));
  app.route("/", forgotPasswordPage(deps));
  app.route("/", profilePage(deps));
  app.route("/", settingsPage(deps));
  app.route("/", adminPage(deps));
  // Before chatPage: its /chat/:serverId/:channelId would take /chat/:serverId/leave.
  app.route("/", leavePage(deps));
  app.route("/", searchPage(deps));
  // Before chatPage: its /chat/:serverId/:channelId would take /chat/dm/:channelId.
  app.route("/", dmPage(deps));
  app.route("/", chatPage(deps));
  app.route("/", chatActions(deps));
  app.route("/", invitePage(deps));
  return app;
}
