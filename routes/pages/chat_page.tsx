/**
 * The chat screen: `/chat` (pick or create a server), `/chat/:serverId` (its first channel) and
 * `/chat/:serverId/:channelId`, server-rendered with the latest messages so it is useful before
 * (and without) JavaScript; the islands then keep it live.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { AppHeader } from "../../components/AppHeader.tsx";
import { FormAlert } from "../../components/AuthLayout.tsx";
import { SubmitButton } from "../../components/Button.tsx";
import { ChannelSidebar } from "../../components/chat/ChannelSidebar.tsx";
import { Notice } from "../../components/chat/Notice.tsx";
import {
  ChannelShortcuts,
  ChatPresence,
  DrawerButton,
  InviteButton,
  MessageInput,
  MessageList,
  QuickSwitcher,
  ServerRail,
} from "../../components/islands.ts";
import { TextField } from "../../components/TextField.tsx";
import type { Authenticated } from "../../lib/accounts.ts";
import {
  MESSAGE_MAX_LENGTH,
  MESSAGE_PAGE_DEFAULT,
  SERVER_NAME_MAX_LENGTH,
} from "../../lib/limits.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type { AppEnv } from "../app_env.ts";
import type { AppDeps } from "../deps.ts";
import { renderPage } from "../render_page.tsx";
import { pageAuth } from "./require_page_auth.ts";
import { unreadSeed } from "./unread_seed.ts";

/** What a chat page may show above the conversation. */
export interface ChatNotices {
  error?: string;
  info?: string;
  inviteLink?: string;
  /** Form values to show again after an error. */
  serverName?: string;
  inviteInput?: string;
}

function Welcome({ user, servers, notices }: {
  user: PublicUser;
  servers: Awaited<ReturnType<AppDeps["chat"]["listServers"]>>;
  notices: ChatNotices;
}) {
  return (
    <>
      <AppHeader user={user} current="chat" />
      <div class="flex min-h-[calc(100vh-57px)]">
        <ServerRail servers={servers} unread={{}} me={{ id: user.id, username: user.username }} />
        <main class="mx-auto w-full max-w-xl space-y-6 px-4 py-8">
          <h1 class="text-2xl font-bold">
            {servers.length ? "Create or join another server" : `Welcome, ${user.displayName}!`}
          </h1>
          <p class="text-slate-600 dark:text-slate-300">
            A server is a home for your group, with channels to talk in. Create one and invite your
            friends, or join one with an invite link.
          </p>
          <FormAlert message={notices.error} />
          <form
            method="post"
            action="/chat/servers"
            class="space-y-3 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
          >
            <h2 class="text-lg font-semibold">Create a server</h2>
            <TextField
              name="name"
              label="Server name"
              value={notices.serverName ?? ""}
              required
              maxLength={SERVER_NAME_MAX_LENGTH}
            />
            <SubmitButton>Create server</SubmitButton>
          </form>
          <form
            method="post"
            action="/chat/join"
            class="space-y-3 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
          >
            <h2 class="text-lg font-semibold">Join with an invite</h2>
            <TextField
              name="invite"
              label="Invite link or code"
              value={notices.inviteInput ?? ""}
              required
              spellcheck={false}
            />
            <SubmitButton variant="secondary">Join server</SubmitButton>
          </form>
        </main>
      </div>
    </>
  );
}

/** Renders `/chat/:serverId/:channelId`; NotFound for non-members. */
export async function renderChannel(
  c: Context<AppEnv>,
  deps: AppDeps,
  auth: Authenticated,
  serverId: string,
  channelId: string,
  notices: ChatNotices = {},
  status: 200 | 400 | 404 | 409 | 429 = 200,
): Promise<Response> {
  const { chat, hub } = deps;
  const user = toPublicUser(auth.user);
  const [{ server, channels, members }, servers, reads] = await Promise.all([
    chat.getServer(auth.user, serverId),
    chat.listServers(auth.user),
    chat.readStates(auth.user, serverId),
  ]);
  const channel = channels.find((item) => item.id === channelId);
  if (!channel) return c.redirect(`/chat/${server.id}`, 303);
  const [messages, unread] = await Promise.all([
    chat.listMessages(auth.user, channel.id, { limit: String(MESSAGE_PAGE_DEFAULT) }),
    unreadSeed(chat, auth.user, server.id, reads),
  ]);
  const authors = members.map(({ id, username, displayName, avatarUrl }) => ({
    id,
    username,
    displayName,
    avatarUrl,
  }));
  const body = (
    <div class="flex h-dvh overflow-hidden lg:pr-60">
      <div
        id="channels"
        class="fixed inset-0 z-20 hidden bg-slate-900/40 transition-transform duration-200 target:flex data-[open]:flex max-md:starting:-translate-x-full md:static md:z-auto md:flex md:bg-transparent"
      >
        <ServerRail
          servers={servers}
          current={server.id}
          unread={unread}
          me={{ id: user.id, username: user.username }}
        />
        <ChannelSidebar
          server={server}
          channels={channels}
          current={channel.id}
          user={user}
          isOwner={server.ownerId === user.id}
          unread={unread}
          invite={<InviteButton serverId={server.id} link={notices.inviteLink} />}
        />
        <a
          href="#"
          data-drawer-close=""
          class="flex-1 md:hidden"
          aria-label="Close the channel list"
        />
      </div>
      <main class="flex min-w-0 flex-1 flex-col bg-white dark:bg-slate-950">
        <header class="flex items-center gap-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
          <DrawerButton
            target="channels"
            label="Show channels"
            icon="menu"
            class="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 md:hidden dark:text-slate-300 dark:hover:bg-slate-800"
          />
          <h1 class="truncate font-bold">
            <span aria-hidden="true" class="text-slate-500 dark:text-slate-400">#</span>
            {channel.name}
          </h1>
          <div class="ml-auto flex shrink-0 items-center gap-2">
            <QuickSwitcher
              current={channel.id}
              channels={channels.map((item) => ({
                id: item.id,
                name: item.name,
                serverId: server.id,
                serverName: server.name,
              }))}
            />
            <DrawerButton
              target="members"
              label="Show members"
              icon="members"
              class="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 lg:hidden dark:text-slate-300 dark:hover:bg-slate-800"
            />
          </div>
        </header>
        <Notice text={notices.error} kind="error" />
        <Notice text={notices.info} kind="info" />
        <MessageList
          channelId={channel.id}
          channelName={channel.name}
          initial={messages}
          hasOlder={messages.length === MESSAGE_PAGE_DEFAULT && messages[0].seq > 1}
          pageSize={MESSAGE_PAGE_DEFAULT}
          me={user.username}
          readSeq={reads.get(channel.id)?.readSeq ?? 0}
          meId={user.id}
          serverId={server.id}
          canModerate={server.ownerId === user.id}
        />
        <ChatPresence
          serverId={server.id}
          channelId={channel.id}
          meId={user.id}
          members={authors}
          online={members.filter((member) => hub.isOnline(member.id)).map((member) => member.id)}
        />
        <ChannelShortcuts
          urls={channels.map((item) => `/chat/${server.id}/${item.id}`)}
          current={channels.findIndex((item) => item.id === channel.id)}
        />
        <MessageInput
          channelId={channel.id}
          channelName={channel.name}
          action={`/chat/${server.id}/${channel.id}/messages`}
          maxLength={MESSAGE_MAX_LENGTH}
        />
      </main>
    </div>
  );
  return c.html(renderPage({ title: `#${channel.name} · ${server.name}`, body }), status);
}

/** Renders `/chat` (the server picker). */
export async function renderWelcome(
  c: Context<AppEnv>,
  deps: AppDeps,
  auth: Authenticated,
  notices: ChatNotices = {},
  status: 200 | 400 | 404 | 409 | 429 = 200,
): Promise<Response> {
  const servers = await deps.chat.listServers(auth.user);
  return c.html(
    renderPage({
      title: "Chat",
      body: <Welcome user={toPublicUser(auth.user)} servers={servers} notices={notices} />,
    }),
    status,
  );
}

export function chatPage(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get("/chat", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const [first] = await deps.chat.listServers(auth.user);
    if (first && c.req.query("new") === undefined) return c.redirect(`/chat/${first.id}`, 303);
    return await renderWelcome(c, deps, auth);
  });

  app.get("/chat/:serverId", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const { channels } = await deps.chat.getServer(auth.user, c.req.param("serverId"));
    return c.redirect(`/chat/${c.req.param("serverId")}/${channels[0].id}`, 303);
  });

  app.get("/chat/:serverId/:channelId", async (c) => {
    const auth = pageAuth(c);
    if (auth instanceof Response) return auth;
    const invite = c.req.query("invite");
    return await renderChannel(c, deps, auth, c.req.param("serverId"), c.req.param("channelId"), {
      inviteLink: invite
        ? new URL(`/invite/${encodeURIComponent(invite)}`, deps.config.origin ?? c.req.url).href
        : undefined,
    });
  });

  return app;
}
