import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { MESSAGE_MAX_LENGTH, MESSAGE_PAGE_DEFAULT } from "../../lib/limits.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type {
  WireChannel,
  WireMember,
  WireMessage,
  WireRole,
  WireServer,
} from "../../lib/realtime/protocol.ts";
import { orderedChannels } from "../../islands/runtime/channel_order.ts";
import { channelPermissions, serverPermissions } from "../../islands/runtime/permissions.ts";
import type { ServerState } from "../../islands/runtime/server_state.ts";
import {
  AppShell,
  ChannelHeading,
  ChannelShortcuts,
  ChatPresence,
  DrawerButton,
  GoneNotice,
  InviteButton,
  MessageInput,
  MessageList,
  PinnedMessages,
  QuickSwitcher,
  ServerRail,
} from "../islands.ts";
import { ChannelSidebar } from "./ChannelSidebar.tsx";
import { ICON_BUTTON, MainHeader, NavigationDrawer } from "./ChatFrame.tsx";
import { SearchBox } from "./SearchBox.tsx";
import { Notice } from "./Notice.tsx";
// Image placeholders are drawn into the page's HTML (the browser then needs no decoder for them).
import "../../islands/attachments/placeholder_server.ts";

/** Everything the channel page shows, as loaded for one reader (routes/pages/channel_loader.ts). */
export interface ChannelPageData {
  user: PublicUser;
  /** The servers the reader belongs to, for the rail. */
  servers: WireServer[];
  server: WireServer;
  /** The channels the reader may view (categories included). */
  channels: WireChannel[];
  channel: WireChannel;
  members: WireMember[];
  roles: WireRole[];
  /** Ids of the members online when the page was made. */
  online: string[];
  /** The channel's latest messages, oldest first. */
  messages: WireMessage[];
  /** The reader may view the channel but not read its history. */
  historyHidden?: boolean;
  /** The reader's read marker in this channel. */
  readSeq: number;
  /** A message link's seq (`?m=`) that `messages` holds: the page opens there, lit. */
  openAt?: number;
  /** `messages` is a page around `openAt` and newer ones exist. */
  hasNewer?: boolean;
  /** The message a no-JS reply answers (`?reply=`). */
  replyTo?: { id: string; name: string };
  /** Unread counts and mentions per channel of every server of the reader. */
  unread: UnreadMap;
}

/** What a channel page may show above the conversation. */
export interface ChannelNotices {
  /** A form's refusal. */
  error?: string;
  /** An invite link just made without JavaScript. */
  inviteLink?: string;
  /** A form's confirmation. */
  info?: string;
}

/**
 * `/chat/:serverId/:channelId`: the rail and channel list (a drawer on phones), the channel's
 * header, its messages with the composer, and who is online.
 */
export function ChannelPage(
  { data, notices = {} }: { data: ChannelPageData; notices?: ChannelNotices },
) {
  const { user, server, channel, members, messages } = data;
  const me = { id: user.id, username: user.username };
  const seed: ServerState = {
    server,
    channels: data.channels,
    roles: data.roles,
    members,
    meId: user.id,
    channelId: channel.id,
  };
  const mayHere = channelPermissions(seed, user.id, channel);
  const mayServer = serverPermissions(seed, user.id);
  // Text channels in the sidebar's order: what the switcher and Alt+↑/↓ go through.
  const channels = orderedChannels(data.channels);
  return (
    <div class="flex h-dvh overflow-hidden lg:pr-60">
      <NavigationDrawer>
        <ServerRail servers={data.servers} current={server.id} unread={data.unread} me={me} />
        <ChannelSidebar
          seed={seed}
          current={channel.id}
          user={user}
          canCreateChannels={mayServer.has("manage_channels")}
          unread={data.unread}
          invite={mayServer.has("create_invites")
            ? <InviteButton serverId={server.id} link={notices.inviteLink} />
            : null}
        />
      </NavigationDrawer>
      <main class="flex min-w-0 flex-1 flex-col bg-white dark:bg-slate-950">
        <MainHeader menuLabel="Show channels">
          <ChannelHeading seed={seed} />
          <div class="ml-auto flex shrink-0 items-center gap-2">
            <SearchBox serverId={server.id} />
            <PinnedMessages serverId={server.id} channelId={channel.id} class={ICON_BUTTON} />
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
        </MainHeader>
        <Notice text={notices.error} kind="error" />
        <Notice text={notices.info} kind="info" />
        <Notice
          text={data.historyHidden
            ? "You cannot read this channel's earlier messages (you lack Read message history): new ones show as they come."
            : undefined}
          kind="info"
        />
        <GoneNotice serverId={server.id} />
        {/* The service worker, in-tab notifications and the favicon's badge: renders nothing. */}
        <AppShell />
        <MessageList
          channelId={channel.id}
          channelName={channel.name}
          initial={messages}
          hasOlder={data.openAt !== undefined
            ? messages[0].seq > 1
            : messages.length === MESSAGE_PAGE_DEFAULT && messages[0].seq > 1}
          pageSize={MESSAGE_PAGE_DEFAULT}
          me={user.username}
          // Opened on a link, the view starts there rather than at the "New messages" divider.
          readSeq={data.openAt !== undefined ? messages.at(-1)!.seq : data.readSeq}
          openAt={data.openAt}
          hasNewer={data.hasNewer}
          meId={user.id}
          serverId={server.id}
          canModerate={mayHere.has("manage_messages")}
          mentionable={members.map((member) => member.user.username)}
        />
        <ChatPresence
          serverId={server.id}
          channelId={channel.id}
          meId={user.id}
          seed={seed}
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
          replyTo={data.replyTo}
          pageUrl={`/chat/${server.id}/${channel.id}`}
        />
      </main>
    </div>
  );
}
