/**
 * A message a user may see, with its channel and its server's snapshot: the first step of every
 * reaction and pin. A message in a channel the user may not view is "No such message".
 */
import type { ChannelRecord, MessageRecord, UserRecord } from "../../db/store.ts";
import { NotFound } from "../errors.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { plausibleId, viewableChannel } from "../chat/membership.ts";
import type { ServerAccess } from "../permissions/server_access.ts";

export interface ViewableMessage {
  message: MessageRecord;
  channel: ChannelRecord;
  access: ServerAccess;
}

/** The message if `user` may view its channel; NotFound otherwise. */
export async function viewableMessage(
  deps: ChatDeps,
  places: ChannelPlaces,
  user: UserRecord,
  messageId: string,
): Promise<ViewableMessage> {
  const message = plausibleId(messageId) ? await deps.store.findMessage(messageId) : null;
  if (!message) throw new NotFound("not_found", "No such message.");
  const { channel, access } = await viewableChannel(deps, places, user, message.channelId, {
    confirm: true,
    thing: "message",
  });
  return { message, channel, access };
}
