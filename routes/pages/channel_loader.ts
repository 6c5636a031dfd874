/** What a channel page shows, loaded for one reader (members only: others get NotFound). */
import type { ChannelPageData } from "../../components/chat/ChannelPage.tsx";
import type { Authenticated } from "../../lib/accounts/account_service.ts";
import { MESSAGE_PAGE_DEFAULT } from "../../lib/limits.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import type { AppDeps } from "../deps.ts";
import { unreadSeed } from "./unread_seed.ts";

/** Which channel to load: without `channelId`, the server's first. */
export interface ChannelPlace {
  serverId: string;
  channelId?: string;
}

/**
 * The page's data, or null when the server has no such channel. Three rounds, each one call or
 * a few at once: the server and the reader's servers, then every channel's read state (one store
 * call for all servers) with the latest messages, then mentions among unread messages.
 */
export async function loadChannelPage(
  { chat, hub }: Pick<AppDeps, "chat" | "hub">,
  auth: Authenticated,
  { serverId, channelId }: ChannelPlace,
): Promise<ChannelPageData | null> {
  const [{ server, channels, members }, servers] = await Promise.all([
    chat.servers.get(auth.user, serverId),
    chat.servers.list(auth.user),
  ]);
  const channel = channelId === undefined
    ? channels[0]
    : channels.find((item) => item.id === channelId);
  if (!channel) return null;
  const [states, messages] = await Promise.all([
    chat.reads.ready(auth.user, servers.map((item) => item.id)),
    chat.messages.list(auth.user, channel.id, { limit: String(MESSAGE_PAGE_DEFAULT) }),
  ]);
  const shown = states.find((state) => state.server.id === server.id);
  return {
    user: toPublicUser(auth.user),
    servers,
    server,
    channels,
    channel,
    members,
    online: members.filter((member) => hub.isOnline(member.id)).map((member) => member.id),
    messages,
    readSeq: shown?.channels.find((item) => item.id === channel.id)?.readSeq ?? 0,
    unread: await unreadSeed(chat, auth.user, states, server.id),
  };
}
