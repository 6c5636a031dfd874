/** Stored chat records → the API's shapes (camelCase already; times become ISO strings). */
import type { ChannelRecord, MessageRecord, ServerRecord, UserRecord } from "../../db/store.ts";
import { avatarUrl } from "../public_user.ts";
import type { WireAuthor, WireChannel, WireMessage, WireServer } from "../realtime/protocol.ts";

export function toWireServer(server: ServerRecord): WireServer {
  return {
    id: server.id,
    name: server.name,
    ownerId: server.ownerId,
    createdAt: server.createdAt.toISOString(),
  };
}

export function toWireChannel(channel: ChannelRecord): WireChannel {
  return {
    id: channel.id,
    serverId: channel.serverId,
    name: channel.name,
    createdAt: channel.createdAt.toISOString(),
  };
}

export function toWireAuthor(user: UserRecord): WireAuthor {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: avatarUrl(user),
  };
}

/** A user that no longer exists still has messages; they show as a placeholder author. */
export function unknownAuthor(id: string): WireAuthor {
  return {
    id,
    username: "deleted",
    displayName: "Deleted user",
    avatarUrl: avatarUrl({ id, avatarVersion: null }),
  };
}

export function toWireMessage(message: MessageRecord, author: WireAuthor): WireMessage {
  const wire: WireMessage = {
    id: message.id,
    channelId: message.channelId,
    seq: message.seq,
    author,
    content: message.content,
    createdAt: message.createdAt.toISOString(),
    editedAt: message.editedAt?.toISOString() ?? null,
  };
  if (message.nonce !== null) wire.nonce = message.nonce;
  return wire;
}
