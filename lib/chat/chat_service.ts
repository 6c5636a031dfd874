/**
 * The chat domain, one service per concept: servers, invites, channels, messages, read state
 * and typing. Every read and write checks membership first, and a non-member gets NotFound,
 * never another server's data. Changes are published as events.
 *
 * Built once per instance (lib/services.ts); the services share the store, the publish function,
 * the clock and the channel → server cache.
 */
import type { Store } from "../../db/store.ts";
import type { Publish } from "../realtime/envelope.ts";
import { ChannelPlaces } from "./channel_places.ts";
import { ChannelService } from "./channel_service.ts";
import { InviteService } from "./invite_service.ts";
import { MessageService } from "./message_service.ts";
import { ReadStateService } from "./read_state_service.ts";
import { ServerService } from "./server_service.ts";
import { TypingService } from "./typing_service.ts";

export type { ServerWithChannels } from "./server_service.ts";
export type { HistoryQuery, SendInput, SendResult } from "./message_service.ts";
export type { ReadyServer } from "./read_state_service.ts";

export interface ChatServiceOptions {
  store: Store;
  publish: Publish;
  /** Messages per user per 10 s (0: off). */
  messageRateLimit: number;
  /** Messages read per user per 10 s (0: off). */
  readRateLimit: number;
  now?: () => number;
}

export class ChatService {
  readonly servers: ServerService;
  readonly invites: InviteService;
  readonly channels: ChannelService;
  readonly messages: MessageService;
  readonly reads: ReadStateService;
  readonly typing: TypingService;

  constructor(options: ChatServiceOptions) {
    const deps = { store: options.store, publish: options.publish, now: options.now ?? Date.now };
    const places = new ChannelPlaces();
    this.servers = new ServerService(deps);
    this.invites = new InviteService(deps);
    this.channels = new ChannelService(deps, places);
    this.messages = new MessageService(deps, places, {
      messageRateLimit: options.messageRateLimit,
      readRateLimit: options.readRateLimit,
    });
    this.reads = new ReadStateService(deps, places);
    this.typing = new TypingService(deps, places);
  }
}
