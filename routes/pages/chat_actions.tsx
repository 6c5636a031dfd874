/**
 * The chat screen's forms, for browsers without JavaScript (the islands use the JSON API):
 * create a server, join by invite, create a channel, make an invite link, post or delete a
 * message (leaving a server asks first: leave_page.tsx; running a server: governance_pages.tsx).
 * Each answers with a redirect (303), or the page again with the error shown.
 */
import { Hono } from "hono";
import { HttpError, Invalid } from "../../lib/errors.ts";
import { FORM_BODY_MAX_BYTES } from "../../lib/limits.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { readForm, textField } from "../read_form.ts";
import { orderedChannels } from "../../islands/runtime/channel_order.ts";
import { channelResponse, welcomeResponse } from "./chat_page.tsx";
import { governanceActions } from "./governance_pages.tsx";
import type { ChatPageStatus } from "./chat_page.tsx";

type FormStatus = Exclude<ChatPageStatus, 200>;

/** The status and message of a domain error a form can show; anything else is re-thrown. */
function shown(error: unknown): { status: FormStatus; message: string } {
  if (error instanceof HttpError && [400, 403, 404, 409, 429].includes(error.status)) {
    return { status: error.status as FormStatus, message: error.message };
  }
  throw error;
}

/** The code of an invite, given either the code or a whole link to /invite/<code>. */
export function inviteCode(input: string): string {
  const trimmed = input.trim();
  const match = trimmed.match(/\/invite\/([^/?#\s]+)/);
  const code = match ? decodeURIComponent(match[1]) : trimmed;
  if (!/^[\w-]{1,64}$/.test(code)) {
    throw new Invalid(
      "invite_invalid",
      "That does not look like an invite link or code.",
      "invite",
    );
  }
  return code;
}

export function chatActions(deps: AppDeps) {
  const { chat } = deps;
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();
  app.use("/chat/*", limitBody(FORM_BODY_MAX_BYTES));

  app.post("/chat/servers", signedIn, async (c) => {
    const name = textField(await readForm(c), "name") ?? "";
    try {
      const { server, channels } = await chat.servers.create(c.get("auth").user, { name });
      return c.redirect(`/chat/${server.id}/${channels[0].id}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await welcomeResponse(c, deps, { error: message, serverName: name }, status);
    }
  });

  app.post("/chat/join", signedIn, async (c) => {
    const input = textField(await readForm(c), "invite") ?? "";
    try {
      const { server, channels } = await chat.invites.join(c.get("auth").user, inviteCode(input));
      const [first] = orderedChannels(channels);
      return c.redirect(first ? `/chat/${server.id}/${first.id}` : `/chat/${server.id}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await welcomeResponse(c, deps, { error: message, inviteInput: input }, status);
    }
  });

  app.post("/chat/:serverId/channels", signedIn, async (c) => {
    const serverId = c.req.param("serverId");
    const form = await readForm(c);
    const name = textField(form, "name") ?? "";
    const kind = textField(form, "kind") || undefined;
    const parentId = textField(form, "parentId") || undefined;
    try {
      const channel = await chat.channels.create(c.get("auth").user, serverId, {
        name,
        kind,
        parentId: kind === "category" ? undefined : parentId,
      });
      // A category is not a place to read: back to the server.
      return c.redirect(
        channel.kind === "category" ? `/chat/${serverId}` : `/chat/${serverId}/${channel.id}`,
        303,
      );
    } catch (error) {
      const { status, message } = shown(error);
      return await channelResponse(c, deps, { serverId }, { error: message }, status);
    }
  });

  app.post("/chat/:serverId/:channelId/messages/:messageId/delete", signedIn, async (c) => {
    const { serverId, channelId, messageId } = c.req.param();
    try {
      await chat.messages.delete(c.get("auth").user, messageId);
      return c.redirect(`/chat/${serverId}/${channelId}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await channelResponse(c, deps, { serverId, channelId }, { error: message }, status);
    }
  });

  app.post("/chat/:serverId/invites", signedIn, async (c) => {
    const serverId = c.req.param("serverId");
    const { user } = c.get("auth");
    const form = await readForm(c).catch(() => ({}));
    const limits = {
      maxAgeSeconds: Number(textField(form, "maxAgeSeconds") ?? 0),
      maxUses: Number(textField(form, "maxUses") ?? 0),
    };
    try {
      const { code } = await chat.invites.create(user, serverId, limits);
      const [first] = orderedChannels((await chat.servers.get(user, serverId)).channels);
      const where = first ? `/chat/${serverId}/${first.id}` : `/chat/${serverId}/settings`;
      return c.redirect(`${where}?invite=${encodeURIComponent(code)}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await channelResponse(c, deps, { serverId }, { error: message }, status);
    }
  });

  app.post("/chat/:serverId/:channelId/messages", signedIn, async (c) => {
    const { serverId, channelId } = c.req.param();
    const form = await readForm(c);
    const content = textField(form, "content");
    // A reply written without JavaScript (the page's ?reply= put it in a hidden field).
    const replyTo = textField(form, "replyTo") || undefined;
    try {
      await chat.messages.send(c.get("auth").user, channelId, { content, replyTo });
      return c.redirect(`/chat/${serverId}/${channelId}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await channelResponse(
        c,
        deps,
        { serverId, channelId, replyTo },
        { error: message },
        status,
      );
    }
  });

  app.route("/", governanceActions(deps));
  return app;
}
