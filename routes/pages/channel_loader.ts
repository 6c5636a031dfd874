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
 * The channel's latest messages (or the page around seq `around`, a message link), or null when
 * the reader may view the channel but not read its history (`read_history` denied): the page
 * then says so instead of failing.
 */
async function latestMessages(
  chat: AppDeps["chat"],
  auth: Authenticated,
  channelId: string,
  around?: number,
): Promise<WireMessage[] | null> {
  try {
    return await chat.messages.list(auth.user, channelId, {
      limit: String(MESSAGE_PAGE_DEFAULT),
      around: around === undefined ? undefined : String(around),
    });
  } catch (error) {
    if (error instanceof HttpError && error.code === "missing_permissions") return null;
    throw error;
  }
}

/** A `?m=` value: a positive seq, or undefined (anything else opens the latest messages). */
export function linkedSeq(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  const seq = Number(raw);
  return seq >= 1 ? seq : undefined;
}

/** The channel's latest seq as the read states have it. */
function channelLastSeq(
  states: Awaited<ReturnType<AppDeps["chat"]["reads"]["ready"]>>,
  channelId: string,
): number | undefined {
  for (const state of states) {
    const found = state.channels.find((item) => item.id === channelId);
    if (found) return found.lastSeq;
  }
  return undefined;
}

/** Which channel to load: without `channelId`, the server's first. */
export interface ChannelPlace {
  serverId: string;
  channelId?: string;
  /** A message link's seq (`?m=`): the page opens around it. */
  around?: number;
  /** A no-JS reply (`?reply=<messageId>`): the composer's form answers it. */
  replyTo?: string;
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
  { serverId, channelId, around, replyTo }: ChannelPlace,
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
    latestMessages(chat, auth, channel.id, around),
  ]);
  let shownMessages = messages ?? [];
  const linked = around === undefined
    ? undefined
    : shownMessages.find((message) => message.seq === around)?.seq;
  // A link to a message that is not there (deleted, or past the end): the latest messages.
  if (around !== undefined && linked === undefined && messages !== null) {
    shownMessages = (await latestMessages(chat, auth, channel.id)) ?? [];
  }
  const answered = replyTo === undefined
    ? undefined
    : shownMessages.find((message) => message.id === replyTo);
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
    messages: shownMessages,
    historyHidden: messages === null,
    openAt: linked,
    // Newer messages than the page exist when it was read around a link's seq.
    hasNewer: linked !== undefined && shownMessages.length > 0 &&
      shownMessages.at(-1)!.seq < (channelLastSeq(states, channel.id) ?? 0),
    replyTo: answered
      ? { id: answered.id, name: answered.author.displayName }
      : replyTo && /^[\w-]{1,64}$/.test(replyTo)
      ? { id: replyTo, name: "a message" }
      : undefined,
    readSeq: shown?.channels.find((item) => item.id === channel.id)?.readSeq ?? 0,
    unread: await unreadSeed(chat, auth.user, states, server.id),
  };
}
