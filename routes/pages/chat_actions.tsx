/**
 * The chat screen's forms, for browsers without JavaScript (the islands use the JSON API):
 * create a server, join by invite, create a channel, make an invite link, post a message.
 * Each answers with a redirect (303), or the page again with the error shown.
 */
import { Hono } from "hono";
import { HttpError, Invalid } from "../../lib/errors.ts";
import { FORM_BODY_MAX_BYTES } from "../../lib/limits.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { limitBody } from "../middleware/body_limit.ts";
import { readForm, textField } from "../read_form.ts";
import { renderChannel, renderWelcome } from "./chat_page.tsx";
import { pageAuth } from "./require_page_auth.ts";

type FormStatus = 400 | 404 | 409 | 429;

/** The status and message of a domain error a form can show; anything else is re-thrown. */
function shown(error: unknown): { status: FormStatus; message: string } {
  if (error instanceof HttpError && [400, 404, 409, 429].includes(error.status)) {
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
      "invalid_invite",
      "That does not look like an invite link or code.",
      "invite",
    );
  }
  return code;
}

export function chatActions(deps: AppDeps) {
  const { chat } = deps;
  const app = new Hono<AppEnv>();
  app.use("/chat/*", limitBody(FORM_BODY_MAX_BYTES));

  app.post("/chat/servers", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const name = textField(await readForm(c), "name") ?? "";
    try {
      const { server, channels } = await chat.createServer(auth.user, { name });
      return c.redirect(`/chat/${server.id}/${channels[0].id}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await renderWelcome(c, deps, auth, { error: message, serverName: name }, status);
    }
  });

  app.post("/chat/join", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const input = textField(await readForm(c), "invite") ?? "";
    try {
      const { server, channels } = await chat.joinByInvite(auth.user, inviteCode(input));
      return c.redirect(`/chat/${server.id}/${channels[0].id}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await renderWelcome(c, deps, auth, { error: message, inviteInput: input }, status);
    }
  });

  app.post("/chat/:serverId/channels", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const serverId = c.req.param("serverId");
    const name = textField(await readForm(c), "name") ?? "";
    try {
      const channel = await chat.createChannel(auth.user, serverId, { name });
      return c.redirect(`/chat/${serverId}/${channel.id}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      const { channels } = await chat.getServer(auth.user, serverId);
      return await renderChannel(
        c,
        deps,
        auth,
        serverId,
        channels[0].id,
        { error: message },
        status,
      );
    }
  });

  app.post("/chat/:serverId/:channelId/messages/:messageId/delete", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const { serverId, channelId, messageId } = c.req.param();
    try {
      await chat.deleteMessage(auth.user, messageId);
      return c.redirect(`/chat/${serverId}/${channelId}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await renderChannel(c, deps, auth, serverId, channelId, { error: message }, status);
    }
  });

  app.post("/chat/:serverId/leave", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const serverId = c.req.param("serverId");
    try {
      await chat.leaveServer(auth.user, serverId);
      return c.redirect("/chat", 303);
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 403) throw error;
      const { channels } = await chat.getServer(auth.user, serverId);
      return await renderChannel(
        c,
        deps,
        auth,
        serverId,
        channels[0].id,
        { error: error.message },
        400,
      );
    }
  });

  app.post("/chat/:serverId/invites", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const serverId = c.req.param("serverId");
    const code = await chat.createInvite(auth.user, serverId);
    const { channels } = await chat.getServer(auth.user, serverId);
    return c.redirect(
      `/chat/${serverId}/${channels[0].id}?invite=${encodeURIComponent(code)}`,
      303,
    );
  });

  app.post("/chat/:serverId/:channelId/messages", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const { serverId, channelId } = c.req.param();
    const content = textField(await readForm(c), "content");
    try {
      await chat.sendMessage(auth.user, channelId, { content });
      return c.redirect(`/chat/${serverId}/${channelId}`, 303);
    } catch (error) {
      const { status, message } = shown(error);
      return await renderChannel(c, deps, auth, serverId, channelId, { error: message }, status);
    }
  });

  return app;
}
