/**
 * `/chat/dm` and `/chat/dm/:channelId` (API.md "Direct messages"; a message link is
 * `/chat/dm/:channelId?m=<seq>`): the reader's conversations and one of them, server-rendered
 * with its latest messages like a channel page (components/chat/DmPage.tsx). Mounted before
 * the chat page, whose `/chat/:serverId/:channelId` would take `dm` for a server.
 */
import { Hono } from "hono";
import { DmPage } from "../../components/chat/DmPage.tsx";
import type { DmPageData } from "../../components/chat/DmPage.tsx";
import { MESSAGE_PAGE_DEFAULT } from "../../lib/limits.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import type { Authenticated } from "../../lib/accounts/account_service.ts";
import type { AppDeps } from "../deps.ts";
import { requireSignIn } from "../middleware/require_sign_in.ts";
import type { SignedInEnv } from "../middleware/require_sign_in.ts";
import { renderPage } from "../render_page.tsx";
import { dmTitle } from "../../islands/runtime/dm_types.ts";
import { linkedSeq } from "./channel_loader.ts";
import { unreadSeed } from "./unread_seed.ts";

/** What every DM page shows: the rail, its unread state and the reader's DMs. */
async function loadBase(
  { chat }: AppDeps,
  auth: Authenticated,
): Promise<Omit<DmPageData, "open">> {
  const [servers, dms] = await Promise.all([
    chat.servers.list(auth.user),
    chat.dms.list(auth.user),
  ]);
  const states = await chat.reads.ready(auth.user, servers.map((server) => server.id));
  return {
    user: toPublicUser(auth.user),
    servers,
    dms,
    unread: await unreadSeed(chat, auth.user, states, ""),
  };
}

export function dmPage(deps: AppDeps) {
  const app = new Hono<SignedInEnv>();
  const signedIn = requireSignIn();

  app.get("/chat/dm", signedIn, async (c) => {
    const data = await loadBase(deps, c.get("auth"));
    return c.html(renderPage({ title: "Direct messages", body: <DmPage data={data} /> }));
  });

  app.get("/chat/dm/:channelId", signedIn, async (c) => {
    const auth = c.get("auth");
    const base = await loadBase(deps, auth);
    const channel = base.dms.find((dm) => dm.id === c.req.param("channelId"));
    // Not one of the reader's open DMs (closed ones reopen with POST /api/dms): the list.
    if (!channel) return c.redirect("/chat/dm", 303);
    const around = linkedSeq(c.req.query("m"));
    const list = (around?: number) =>
      deps.chat.messages.list(auth.user, channel.id, {
        limit: String(MESSAGE_PAGE_DEFAULT),
        around: around === undefined ? undefined : String(around),
      });
    let messages = await list(around);
    const openAt = around === undefined
      ? undefined
      : messages.find((message) => message.seq === around)?.seq;
    if (around !== undefined && openAt === undefined) messages = await list();
    const data: DmPageData = {
      ...base,
      open: {
        channel,
        messages,
        openAt,
        hasNewer: openAt !== undefined && messages.length > 0 &&
          messages.at(-1)!.seq < channel.lastSeq,
      },
    };
    return c.html(renderPage({ title: `@${dmTitle(channel)}`, body: <DmPage data={data} /> }));
  });

  return app;
}
