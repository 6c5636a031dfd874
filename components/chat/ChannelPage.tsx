import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { MESSAGE_MAX_LENGTH, MESSAGE_PAGE_DEFAULT } from "../../lib/limits.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type { WireChannel, WireMessage, WireServer } from "../../lib/realtime/protocol.ts";
import {
  ChannelShortcuts,
  ChatPresence,
  DrawerButton,
  InviteButton,
  MessageInput,
  MessageList,
  QuickSwitcher,
  ServerRail,
} from "../islands.ts";
import { ChannelSidebar } from "./ChannelSidebar.tsx";
import { Notice } from "./Notice.tsx";

/** Everything the channel page shows, as loaded for one reader (routes/pages/channel_loader.ts). */
export interface ChannelPageData {
  user: PublicUser;
  /** The servers the reader belongs to, for the rail. */
  servers: WireServer[];
  server: WireServer;
  channels: WireChannel[];
  channel: WireChannel;
  members: PublicUser[];
  /** Ids of the members online when the page was made. */
  online: string[];
  /** The channel's latest messages, oldest first. */
  messages: WireMessage[];
  /** The reader's read marker in this channel. */
  readSeq: number;
  /** Unread counts and mentions per channel of every server of the reader. */
  unread: UnreadMap;
}

/** What a channel page may show above the conversation. */
export interface ChannelNotices {
  /** A form's refusal. */
  error?: string;
  /** An invite link just made without JavaScript. */
  inviteLink?: string;
}

const ICON_BUTTON =
  "rounded-md p-1.5 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800";

/**
 * `/chat/:serverId/:channelId`: the rail and channel list (a drawer on phones), the channel's
 * header, its messages with the composer, and who is online.
 */
export function ChannelPage(
  { data, notices = {} }: { data: ChannelPageData; notices?: ChannelNotices },
) {
  const { user, server, channels, channel, members, messages } = data;
  const me = { id: user.id, username: user.username };
  const isOwner = server.ownerId === user.id;
  return (
    <div class="flex h-dvh overflow-hidden lg:pr-60">
      <div
        id="channels"
        class="fixed inset-0 z-20 hidden bg-slate-900/40 transition-transform duration-200 target:flex data-[open]:flex max-md:starting:-translate-x-full md:static md:z-auto md:flex md:bg-transparent"
      >
        <ServerRail servers={data.servers} current={server.id} unread={data.unread} me={me} />
        <ChannelSidebar
          server={server}
          channels={channels}
          current={channel.id}
          user={user}
          isOwner={isOwner}
          unread={data.unread}
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
            class={`${ICON_BUTTON} md:hidden`}
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
              class={`${ICON_BUTTON} lg:hidden`}
            />
          </div>
        </header>
        <Notice text={notices.error} kind="error" />
        <MessageList
          channelId={channel.id}
          channelName={channel.name}
          initial={messages}
          hasOlder={messages.length === MESSAGE_PAGE_DEFAULT && messages[0].seq > 1}
          pageSize={MESSAGE_PAGE_DEFAULT}
          me={user.username}
          readSeq={data.readSeq}
          meId={user.id}
          serverId={server.id}
          canModerate={isOwner}
          mentionable={members.map((member) => member.username)}
        />
        <ChatPresence
          serverId={server.id}
          channelId={channel.id}
          meId={user.id}
          members={members.map(({ id, username, displayName, avatarUrl }) => ({
            id,
            username,
            displayName,
            avatarUrl,
          }))}
          online={data.online}
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
}
