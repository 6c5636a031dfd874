/**
 * /invite/:code: the link people share (and /invite/:code/icon, the server's icon for it). Anyone holding it sees which server it leads to (name,
 * icon, member count), logged out too; a signed-in person gets a Join button, a visitor links to
 * log in or create an account that come back here afterwards. An unknown, expired or used-up
 * invite says so plainly (404), with a way on.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { AuthLayout } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import { orderedChannels } from "../../islands/runtime/channel_order.ts";
import { HttpError } from "../../lib/errors.ts";
import type { WireInvite } from "../../lib/realtime/protocol.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import { renderPage } from "../render_page.tsx";

const LINK = "font-semibold text-brand-700 hover:underline dark:text-brand-100";
const BUTTON_LINK =
  "flex w-full items-center justify-center rounded-lg px-4 py-2 text-sm font-semibold shadow-sm transition";

/** Log in or register (where registration is open to them), then come back to `invitePath`. */
function VisitorChoices(
  { invitePath, canRegister }: { invitePath: string; canRegister: boolean },
) {
  const next = `?next=${encodeURIComponent(invitePath)}`;
  return (
    <div class="space-y-3">
      <a
        href={`/login${next}`}
        class={`${BUTTON_LINK} bg-brand-500 text-white hover:bg-brand-600 active:bg-brand-700`}
      >
        Log in to join
      </a>
      {canRegister && (
        <a
          href={`/register${next}`}
          class={`${BUTTON_LINK} bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700 dark:hover:bg-slate-700`}
        >
          Create an account
        </a>
      )}
    </div>
  );
}

/**
 * The server's icon through the invite (`iconUrl` itself is for members only, and a visitor is
 * none), or its initial when it has none.
 */
function ServerBadge({ invite }: { invite: WireInvite }) {
  const version = invite.server.iconUrl
    ? new URL(invite.server.iconUrl, "http://x").searchParams.get("v")
    : null;
  return (
    <div class="mb-4 flex justify-center">
      {invite.server.iconUrl
        ? (
          <img
            src={`/invite/${encodeURIComponent(invite.code)}/icon?v=${
              encodeURIComponent(version ?? "")
            }`}
            alt={`${invite.server.name}'s icon`}
            width={64}
            height={64}
            class="h-16 w-16 rounded-2xl object-cover"
          />
        )
        : (
          <span
            aria-hidden="true"
            class="flex h-16 w-16 items-center justify-center rounded-2xl bg-brand-500 text-2xl font-bold text-white"
          >
            {[...invite.server.name][0]?.toUpperCase() ?? "?"}
          </span>
        )}
    </div>
  );
}

/** What is left of an invite's limits, in words. */
function limits(invite: WireInvite): string {
  const parts: string[] = [];
  if (invite.expiresAt) {
    parts.push(`This invite expires ${invite.expiresAt.slice(0, 16).replace("T", " ")} UTC.`);
  }
  if (invite.maxUses) {
    const left = invite.maxUses - invite.uses;
    parts.push(`${left} ${left === 1 ? "use" : "uses"} left.`);
  }
  return parts.join(" ");
}

/** The answer for an invite that cannot be used (unknown, expired or used up). */
// deno-lint-ignore no-explicit-any -- both the visitor's and the signed-in context
function invalidResponse(c: Context<any>, message: string) {
  const signedIn = c.get("auth") !== null;
  return c.html(
    renderPage({
      title: "Invite not valid",
      body: (
        <AuthLayout
          title="This invite is not valid"
          subtitle="It has expired, has been used up, was revoked, or never existed."
          footer={signedIn
            ? <a href="/chat" class={LINK}>Go to your servers</a>
            : <a href="/login" class={LINK}>Log in</a>}
        >
          <p class="text-center text-sm text-slate-700 dark:text-slate-300">
            {message} Ask whoever sent it for a new link.
          </p>
        </AuthLayout>
      ),
    }),
    404,
  );
}

function isInvalidInvite(error: unknown): error is HttpError {
  return error instanceof HttpError && error.status === 404;
}

export function invitePage({ chat, config }: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/invite/:code", async (c) => {
    const code = c.req.param("code");
    const invitePath = `/invite/${encodeURIComponent(code)}`;
    let invite: WireInvite;
    try {
      invite = await chat.invites.preview(code);
    } catch (error) {
      if (!isInvalidInvite(error)) throw error;
      return invalidResponse(c, error.message);
    }
    const { server } = invite;
    const signedIn = c.get("auth") !== null;
    return c.html(renderPage({
      title: `Join ${server.name}`,
      body: (
        <AuthLayout
          title={server.name}
          subtitle={`You have been invited to join this server: ${server.memberCount} ${
            server.memberCount === 1 ? "member" : "members"
          }. ${limits(invite)}`}
          footer={signedIn
            ? <a href="/chat" class={LINK}>No thanks</a>
            : config.registration === "closed"
            ? "New accounts are closed here: log in with the one you have."
            : "You need an account to join: it takes a minute."}
        >
          <ServerBadge invite={invite} />
          {signedIn
            ? (
              <form method="post" action={invitePath}>
                <SubmitButton full>Join {server.name}</SubmitButton>
              </form>
            )
            : (
              <VisitorChoices
                invitePath={invitePath}
                canRegister={config.registration !== "closed"}
              />
            )}
        </AuthLayout>
      ),
    }));
  });

  app.get("/invite/:code/icon", async (c) => {
    // Streamed from the blob store as it is sent.
    const icon = await chat.invites.openIcon(c.req.param("code"));
    // Served images are inert: no script, no sniffing into HTML (as the members' icon route).
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    c.header("X-Content-Type-Options", "nosniff");
    // The invite may be revoked at any time: never cached without asking.
    c.header("Cache-Control", "private, no-cache");
    c.header("Content-Type", icon.contentType);
    c.header("Content-Length", String(icon.size));
    return c.body(icon.body);
  });

  app.post("/invite/:code", requireSignIn(), async (c) => {
    try {
      const { server, channels } = await chat.invites.join(c.get("auth").user, c.req.param("code"));
      // The joiner may see no channel at all (overwrites): then the server's page says so.
      const [first] = orderedChannels(channels);
      return c.redirect(first ? `/chat/${server.id}/${first.id}` : `/chat/${server.id}`, 303);
    } catch (error) {
      if (isInvalidInvite(error)) return invalidResponse(c, error.message);
      if (error instanceof HttpError && error.code === "banned") {
        return c.html(
          renderPage({
            title: "You cannot join",
            body: (
              <AuthLayout
                title="You cannot join this server"
                subtitle={error.message}
                footer={<a href="/chat" class={LINK}>Go to your servers</a>}
              >
                {null}
              </AuthLayout>
            ),
          }),
          403,
        );
      }
      throw error;
    }
  });

  return app;
}
