/**
 * The chat screen: `/chat` (pick or create a server), `/chat/:serverId` (its first channel) and
 * `/chat/:serverId/:channelId`, server-rendered with the latest messages so it is useful before
 * (and without) JavaScript; the islands then keep it live.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { ChannelPage } from "../../components/chat/ChannelPage.tsx";
import type { ChannelNotices } from "../../components/chat/ChannelPage.tsx";
import { WelcomePage } from "../../components/chat/WelcomePage.tsx";
import type { WelcomeNotices } from "../../components/chat/WelcomePage.tsx";
import { toPublicUser } from "../../lib/public_user.ts";
import type { AppDeps } from "../deps.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import { linkOrigin } from "../middleware/same_origin.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { renderPage } from "../render_page.tsx";
import { orderedChannels } from "../../islands/runtime/channel_order.ts";
import { linkedSeq, loadChannelPage } from "./channel_loader.ts";
import { emojiData } from "./emoji_data.ts";
import { governancePages } from "./governance_pages.tsx";
import type { ChannelPlace } from "./channel_loader.ts";
import { unreadSeed } from "./unread_seed.ts";

/** The statuses a chat page goes out with: a form's refusal shows the page again. */
export type ChatPageStatus = 200 | 400 | 403 | 404 | 409 | 429;

/** The channel page as a response; a channel the server lacks redirects to its first one. */
export async function channelResponse(
  c: Context<SignedInEnv>,
  deps: AppDeps,
  place: ChannelPlace,
  notices: ChannelNotices = {},
  status: ChatPageStatus = 200,
): Promise<Response> {
  const data = await loadChannelPage(deps, c.get("auth"), place);
  if (!data) return c.redirect(`/chat/${place.serverId}`, 303);
  return c.html(
    renderPage({
      title: `#${data.channel.name} · ${data.server.name}`,
      body: <ChannelPage data={data} notices={notices} />,
    }),
    status,
  );
}

/** `/chat` (the server picker) as a response. */
export async function welcomeResponse(
  c: Context<SignedInEnv>,
  { chat }: AppDeps,
  notices: WelcomeNotices = {},
  status: ChatPageStatus = 200,
): Promise<Response> {
  const { user } = c.get("auth");
  const servers = await chat.servers.list(user);
  const states = await chat.reads.ready(user, servers.map((server) => server.id));
  const unread = await unreadSeed(chat, user, states, "");
  return c.html(
    renderPage({
      title: "Chat",
      body: (
        <WelcomePage
          user={toPublicUser(user)}
          servers={servers}
          unread={unread}
          notices={notices}
        />
      ),
    }),
    status,
  );
}

export function chatPage(deps: AppDeps) {
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();
  app.route("/", emojiData());

  app.get("/chat", signedIn, async (c) => {
    const [first] = await deps.chat.servers.list(c.get("auth").user);
    if (first && c.req.query("new") === undefined) return c.redirect(`/chat/${first.id}`, 303);
    return await welcomeResponse(c, deps);
  });

  app.get("/chat/:serverId", signedIn, async (c) => {
    const { server, channels } = await deps.chat.servers.get(
      c.get("auth").user,
      c.req.param("serverId"),
    );
    const [first] = orderedChannels(channels);
    if (!first) {
      // Every channel may be hidden from a member (overwrites): say so, never a dead redirect.
      return await welcomeResponse(c, deps, {
        error: `${server.name} has no channel you can see yet.`,
      });
    }
    return c.redirect(`/chat/${server.id}/${first.id}`, 303);
  });
  // Before the channel route: /chat/:serverId/settings is not a channel.
  app.route("/", governancePages(deps));

  app.get("/chat/:serverId/:channelId", signedIn, async (c) => {
    const invite = c.req.query("invite");
    const origin = linkOrigin(c.req.url, deps.config);
    const place = {
      ...c.req.param(),
      around: linkedSeq(c.req.query("m")),
      replyTo: c.req.query("reply") || undefined,
    };
    return await channelResponse(c, deps, place, {
      inviteLink: invite
        ? new URL(`/invite/${encodeURIComponent(invite)}`, origin).href
        : undefined,
    });
  });

  return app;
}
