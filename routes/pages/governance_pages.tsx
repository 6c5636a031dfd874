/**
 * Running a server without JavaScript: the settings page (`GET /chat/:serverId/settings`) and
 * the plain form posts it makes (rename the server, create, rename and delete channels,
 * invites, kick, ban, unban, time out), the destructive ones behind a confirmation page. The
 * islands do the same with the JSON API; both call the same services, and the app's Origin
 * check (routes/middleware/same_origin.ts) guards these posts like every other.
 * Each post answers with a redirect (303), or the settings page again with the error shown.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import {
  ConfirmPageView,
  SettingsPageView,
} from "../../components/governance/SettingsPageView.tsx";
import type { SettingsPageNotices } from "../../components/governance/SettingsPageView.tsx";
import { serverPermissions } from "../../islands/runtime/permissions.ts";
import { HttpError } from "../../lib/errors.ts";
import { FORM_BODY_MAX_BYTES } from "../../lib/limits.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { readForm, textField } from "../read_form.ts";
import type { FormBody } from "../read_form.ts";
import { renderPage } from "../render_page.tsx";

type FormStatus = 400 | 403 | 404 | 409 | 429;

/** A domain error a form shows on the page; anything else is re-thrown (the error page). */
function refusal(error: unknown): { status: FormStatus; message: string } {
  if (error instanceof HttpError && [400, 403, 404, 409, 429].includes(error.status)) {
    return { status: error.status as FormStatus, message: error.message };
  }
  throw error;
}

/** A form's number field (selects send strings); undefined when absent or empty. */
function numberField(form: FormBody, name: string): number | undefined {
  const value = form[name];
  return typeof value === "string" && value.trim() !== "" ? Number(value) : undefined;
}

/** The settings page, with a form's outcome. */
export async function settingsResponse(
  c: Context<SignedInEnv>,
  { chat }: AppDeps,
  serverId: string,
  notices: SettingsPageNotices = {},
  status: 200 | FormStatus = 200,
): Promise<Response> {
  const { user } = c.get("auth");
  const detail = await chat.servers.get(user, serverId);
  const scope = { ...detail, meId: user.id };
  const may = serverPermissions(scope, user.id);
  const [invites, bans] = await Promise.all([
    may.has("manage_invites") ? chat.invites.list(user, serverId) : null,
    may.has("ban_members") ? chat.moderation.bans(user, serverId) : null,
  ]);
  return c.html(
    renderPage({
      title: `Settings · ${detail.server.name}`,
      body: <SettingsPageView data={{ ...scope, invites, bans }} notices={notices} />,
    }),
    status,
  );
}

/** The GET routes: mounted before the channel page, whose `/chat/:serverId/:channelId` they share. */
export function governancePages(deps: AppDeps) {
  const { chat } = deps;
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();

  app.get("/chat/:serverId/settings", signedIn, async (c) => {
    const info = c.req.query("done");
    return await settingsResponse(c, deps, c.req.param("serverId"), { info });
  });

  app.get("/chat/:serverId/members/:userId/:action{kick|ban}", signedIn, async (c) => {
    const { serverId, userId, action } = c.req.param();
    const { server, members } = await chat.servers.get(c.get("auth").user, serverId);
    const target = members.find((member) => member.user.id === userId);
    if (!target) return c.redirect(`/chat/${serverId}/settings`, 303);
    const name = target.user.displayName;
    const ban = action === "ban";
    return c.html(renderPage({
      title: `${ban ? "Ban" : "Kick"} ${name}`,
      body: (
        <ConfirmPageView
          title={`${ban ? "Ban" : "Kick"} ${name}?`}
          text={ban
            ? `${name} will be removed from ${server.name} and cannot come back until unbanned.`
            : `${name} will be removed from ${server.name}; they can come back with an invite.`}
          action={`/chat/${serverId}/members/${userId}/${action}`}
          confirm={ban ? `Ban ${name}` : `Kick ${name}`}
          back={`/chat/${serverId}/settings`}
          reason
          ban={ban}
        />
      ),
    }));
  });

  app.get("/chat/:serverId/:channelId/delete", signedIn, async (c) => {
    const { serverId, channelId } = c.req.param();
    const { channels } = await chat.servers.get(c.get("auth").user, serverId);
    const channel = channels.find((item) => item.id === channelId);
    if (!channel) return c.redirect(`/chat/${serverId}/settings`, 303);
    return c.html(renderPage({
      title: `Delete #${channel.name}`,
      body: (
        <ConfirmPageView
          title={`Delete #${channel.name}?`}
          text="Its messages will be gone for everyone. This cannot be undone."
          action={`/chat/${serverId}/${channelId}/delete`}
          confirm={`Delete #${channel.name}`}
          back={`/chat/${serverId}/settings`}
        />
      ),
    }));
  });

  return app;
}

/** The form posts (mounted with the chat screen's other forms). */
export function governanceActions(deps: AppDeps) {
  const { chat } = deps;
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();
  app.use("/chat/*", limitBody(FORM_BODY_MAX_BYTES));

  /** Runs one action; on success back to the settings page saying `done`. */
  function post(
    path: string,
    act: (c: Context<SignedInEnv>, form: FormBody) => Promise<string | void>,
    done: string,
  ) {
    app.post(path, signedIn, async (c) => {
      const serverId = c.req.param("serverId")!;
      const form = await readForm(c);
      try {
        const to = await act(c, form);
        return c.redirect(to ?? `/chat/${serverId}/settings?done=${encodeURIComponent(done)}`, 303);
      } catch (error) {
        const { status, message } = refusal(error);
        return await settingsResponse(c, deps, serverId, { error: message }, status);
      }
    });
  }
  const me = (c: Context<SignedInEnv>) => c.get("auth").user;

  post("/chat/:serverId/settings", async (c, form) => {
    await chat.serverAdmin.update(me(c), c.req.param("serverId")!, {
      name: textField(form, "name") ?? "",
    });
  }, "Saved.");

  post("/chat/:serverId/:channelId/rename", async (c, form) => {
    const topic = textField(form, "topic");
    await chat.channelAdmin.update(me(c), c.req.param("channelId")!, {
      name: textField(form, "name") ?? "",
      ...(topic === undefined ? {} : { topic }),
    });
  }, "Channel renamed.");

  post("/chat/:serverId/:channelId/delete", async (c) => {
    await chat.channelAdmin.delete(me(c), c.req.param("channelId")!);
  }, "Channel deleted.");

  post("/chat/:serverId/members/:userId/kick", async (c, form) => {
    await chat.moderation.kick(me(c), c.req.param("serverId")!, c.req.param("userId")!, {
      reason: textField(form, "reason") || undefined,
    });
  }, "Member kicked.");

  post("/chat/:serverId/members/:userId/ban", async (c, form) => {
    await chat.moderation.ban(me(c), c.req.param("serverId")!, c.req.param("userId")!, {
      reason: textField(form, "reason") || undefined,
      deleteMessagesSeconds: numberField(form, "deleteMessagesSeconds"),
    });
  }, "Member banned.");

  post("/chat/:serverId/members/:userId/timeout", async (c, form) => {
    const seconds = numberField(form, "seconds") ?? 0;
    await chat.moderation.timeout(me(c), c.req.param("serverId")!, c.req.param("userId")!, {
      timeoutUntil: seconds > 0 ? new Date(Date.now() + seconds * 1000).toISOString() : null,
      reason: textField(form, "reason") || undefined,
    });
  }, "Time-out changed.");

  post("/chat/:serverId/bans/:userId/unban", async (c) => {
    await chat.moderation.unban(me(c), c.req.param("serverId")!, c.req.param("userId")!);
  }, "Ban lifted.");

  post("/chat/:serverId/invites/:code/revoke", async (c) => {
    await chat.invites.delete(me(c), c.req.param("code")!);
  }, "Invite revoked.");

  return app;
}
