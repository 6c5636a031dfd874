/** What a channel page shows, loaded for one reader (members only: others get NotFound). */
import type { ChannelPageData } from "../../components/chat/ChannelPage.tsx";
import type { Authenticated } from "../../lib/accounts/account_service.ts";
import { MESSAGE_PAGE_DEFAULT } from "../../lib/limits.ts";
import { orderedChannels } from "../../islands/runtime/channel_order.ts";
import { HttpError } from "../../lib/errors.ts";
import { toPublicUser } from "../../lib/public_user.ts";
import type { WireMessage } from "../../lib/realtime/protocol.ts";
import type { AppDeps } from "../deps.ts";
import { unreadSeed } from "./unread_seed.ts";

/**
 * The channel's latest messages, or null when the reader may view the channel but not read
 * its history (`read_history` denied): the page then says so instead of failing.
 */
async function latestMessages(
  chat: AppDeps["chat"],
  auth: Authenticated,
  channelId: string,
): Promise<WireMessage[] | null> {
  try {
    return await chat.messages.list(auth.user, channelId, { limit: String(MESSAGE_PAGE_DEFAULT) });
  } catch (error) {
    if (error instanceof HttpError && error.code === "missing_permissions") return null;
    throw error;
  }
}

/** Which channel to load: without `channelId`, the server's first. */
export interface ChannelPlace {
  serverId: string;
  channelId?: string;
}

/**
 * The page's data, or null when the server has no such channel the reader may view (or no
 * text channel at all). Three rounds, each one call or
 * a few at once: the server and the reader's servers, then every channel's read state (one store
 * call for all servers) with the latest messages, then mentions among unread messages.
 */
export async function loadChannelPage(
  { chat, hub }: Pick<AppDeps, "chat" | "hub">,
  auth: Authenticated,
  { serverId, channelId }: ChannelPlace,
): Promise<ChannelPageData | null> {
  const [{ server, channels, members, roles }, servers] = await Promise.all([
    chat.servers.get(auth.user, serverId),
    chat.servers.list(auth.user),
  ]);
  // Categories are headings, not places to read: the default is the first text channel in the
  // sidebar's order.
  const readable = orderedChannels(channels);
  const channel = channelId === undefined
    ? readable[0]
    : readable.find((item) => item.id === channelId);
  if (!channel) return null;
  const [states, messages] = await Promise.all([
    chat.reads.ready(auth.user, servers.map((item) => item.id)),
    latestMessages(chat, auth, channel.id),
  ]);
  const shown = states.find((state) => state.server.id === server.id);
  return {
    user: toPublicUser(auth.user),
    servers,
    server,
    channels,
    channel,
    members,
    roles,
    online: members.filter((member) => hub.isOnline(member.user.id)).map((member) =>
      member.user.id
    ),
    messages: messages ?? [],
    historyHidden: messages === null,
    readSeq: shown?.channels.find((item) => item.id === channel.id)?.readSeq ?? 0,
    unread: await unreadSeed(chat, auth.user, states, server.id),
  };
}
