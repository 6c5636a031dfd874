/**
 * The direct-message pages (API.md "Direct messages"): `/chat/dm` (the conversations, newest
 * first) and `/chat/dm/:channelId` (one conversation: its messages and the composer named
 * `Message @<name>`), laid out like a server's channel page: the rail (with `Direct messages`
 * current), the conversation list in the sidebar (a drawer on phones), then the conversation.
 * The channel page's islands show it; messages, reactions, pins and read markers work as in
 * any channel.
 */
import { MESSAGE_MAX_LENGTH, MESSAGE_PAGE_DEFAULT } from "../../lib/limits.ts";
import type { PublicUser } from "../../lib/public_user.ts";
import type { WireDmChannel, WireMessage, WireServer } from "../../lib/realtime/protocol.ts";
import type { UnreadMap } from "../../islands/runtime/unread.ts";
import { dmComposerName, dmTitle, dmUrl } from "../../islands/runtime/dm_types.ts";
import { AppShell, DmList, MessageInput, MessageList, ServerRail } from "../islands.ts";
import { UserPanel } from "./UserPanel.tsx";
import { MainHeader, NavigationDrawer } from "./ChatFrame.tsx";
import "../../islands/attachments/placeholder_server.ts";

/** What a DM page shows, loaded for one reader (routes/pages/dm_page.tsx). */
export interface DmPageData {
  user: PublicUser;
  servers: WireServer[];
  unread: UnreadMap;
  /** The reader's DMs, newest activity first. */
  dms: WireDmChannel[];
  /** The open conversation, with its latest messages (or the page around `openAt`). */
  open?: {
    channel: WireDmChannel;
    messages: WireMessage[];
    openAt?: number;
    hasNewer?: boolean;
  };
}

export function DmPage({ data }: { data: DmPageData }) {
  const { user, open } = data;
  const me = { id: user.id, username: user.username };
  return (
    <div class="flex h-dvh overflow-hidden">
      <NavigationDrawer>
        <ServerRail servers={data.servers} current="dm" unread={data.unread} me={me} />
        <div class="flex w-60 shrink-0 flex-col bg-slate-50 dark:bg-slate-900">
          <div class="min-h-0 flex-1 overflow-y-auto py-3">
            <DmList seed={data.dms} current={open?.channel.id} />
          </div>
          <UserPanel user={user} />
        </div>
      </NavigationDrawer>
      <main class="flex min-w-0 flex-1 flex-col bg-white dark:bg-slate-950">
        <MainHeader menuLabel="Show conversations">
          <h1 class="min-w-0 truncate font-semibold">
            {open ? dmComposerName(open.channel) : "Direct messages"}
          </h1>
        </MainHeader>
        <AppShell banner />
        {open
          ? <Conversation open={open} user={user} />
          : (
            <p class="m-auto max-w-sm p-6 text-center text-slate-500 dark:text-slate-400">
              Pick a conversation, or open someone's profile card in a server and choose Message.
            </p>
          )}
      </main>
    </div>
  );
}

function Conversation(
  { open, user }: { open: NonNullable<DmPageData["open"]>; user: PublicUser },
) {
  const { channel, messages } = open;
  const title = dmTitle(channel);
  return (
    <>
      <MessageList
        channelId={channel.id}
        channelName={title}
        initial={messages}
        hasOlder={open.openAt !== undefined
          ? messages.length > 0 && messages[0].seq > 1
          : messages.length === MESSAGE_PAGE_DEFAULT && messages[0].seq > 1}
        pageSize={MESSAGE_PAGE_DEFAULT}
        me={user.username}
        readSeq={open.openAt !== undefined && messages.length > 0
          ? messages.at(-1)!.seq
          : channel.readSeq}
        openAt={open.openAt}
        hasNewer={open.hasNewer}
        meId={user.id}
        // Message links are /chat/dm/:channelId?m=<seq> (API.md "Conversations").
        serverId="dm"
        canModerate={false}
        mentionable={[user.username, ...channel.recipients.map((person) => person.username)]}
      />
      <MessageInput
        channelId={channel.id}
        channelName={title}
        composerName={dmComposerName(channel)}
        action={`${dmUrl(channel.id)}/messages`}
        maxLength={MESSAGE_MAX_LENGTH}
        pageUrl={dmUrl(channel.id)}
      />
    </>
  );
}
