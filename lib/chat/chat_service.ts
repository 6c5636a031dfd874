/**
 * The chat domain, one service per concept: servers, invites, channels, messages, read state,
 * typing, roles and channel overwrites; server and channel administration, moderation and the
 * audit log; reactions, pins, custom emoji and profile cards (lib/conversations/). Every read and write checks access first through the
 * server's permission snapshot (lib/chat/membership.ts): a non-member, or a member asking for a
 * channel they cannot view, gets NotFound, never another server's data. Changes are published
 * as events.
 *
 * Built once per instance (lib/services.ts); the services share the store, the permission
 * snapshots, the publish function, the clock and the channel → server cache.
 */
import type { Store } from "../../db/store.ts";
import type { AccessBook } from "../permissions/access_book.ts";
import type { Publish } from "../realtime/envelope.ts";
import { AuditLogService } from "../governance/audit_log_service.ts";
import { ChannelAdminService } from "../governance/channel_admin_service.ts";
import { ModerationService } from "../governance/moderation_service.ts";
import { OverwriteService } from "../governance/overwrite_service.ts";
import { RoleService } from "../governance/role_service.ts";
import { ServerAdminService } from "../governance/server_admin_service.ts";
import { ChannelPlaces } from "./channel_places.ts";
import { ChannelService } from "./channel_service.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { InviteService } from "./invite_service.ts";
import type { RateLimitBackend } from "../rate_limits/rate_limits.ts";
import { DEFAULT_SEARCH_RATE_LIMIT } from "../limits.ts";
import { MessageService } from "./message_service.ts";
import { ReadStateService } from "./read_state_service.ts";
import { ServerService } from "./server_service.ts";
import { TypingService } from "./typing_service.ts";
import { EmojiService } from "../conversations/emoji_service.ts";
import { PinService } from "../conversations/pin_service.ts";
import { ReactionService } from "../conversations/reaction_service.ts";
import { UserProfileService } from "../conversations/user_profiles.ts";
import { SearchService } from "../search/search_service.ts";
import { AttachmentService } from "../attachments/upload_service.ts";
import type { AttachmentServiceOptions } from "../attachments/upload_service.ts";
import { AttachmentCleanup } from "../attachments/attachment_cleanup.ts";
import { OrphanSweeper } from "../attachments/orphan_sweeper.ts";
import { DmService } from "../dms/dm_service.ts";
import { DmSendGate } from "../dms/dm_send_gate.ts";
import { BlockService } from "../dms/block_service.ts";

export type { ServerDetail, ServerWithChannels } from "./server_service.ts";
export type { HistoryQuery, SendInput, SendResult } from "./message_service.ts";
export type { ReadyServer } from "./read_state_service.ts";
export type { PermissionExplanation } from "../governance/overwrite_service.ts";

export interface ChatServiceOptions {
  store: Store;
  /** This instance's permission snapshots, the same the hub keeps current. */
  access: AccessBook;
  publish: Publish;
  /** Messages per user per 10 s (0: off). */
  messageRateLimit: number;
  /** Messages read per user per 10 s (0: off). */
  readRateLimit: number;
  /** Searches per user per 10 s (0: off; default DEFAULT_SEARCH_RATE_LIMIT). */
  searchRateLimit?: number;
  now?: () => number;
  /** Where the rate limits count (default: this process's memory; Redis with BUS=redis). */
  rateLimits?: RateLimitBackend;
  /** Uploads (lib/attachments/); without, every upload and send with files is refused. */
  attachments?: AttachmentServiceOptions;
}

export class ChatService {
  readonly servers: ServerService;
  readonly invites: InviteService;
  readonly channels: ChannelService;
  readonly messages: MessageService;
  readonly reads: ReadStateService;
  readonly typing: TypingService;
  readonly roles: RoleService;
  readonly overwrites: OverwriteService;
  readonly serverAdmin: ServerAdminService;
  readonly channelAdmin: ChannelAdminService;
  readonly moderation: ModerationService;
  readonly auditLog: AuditLogService;
  readonly reactions: ReactionService;
  readonly pins: PinService;
  readonly emojis: EmojiService;
  /** Profile cards (GET /api/users/:id). */
  readonly users: UserProfileService;
  /** Search (GET /api/search). */
  readonly search: SearchService;
  /** Direct messages (API.md "Direct messages", lib/dms/). */
  readonly dms: DmService;
  /** Blocks (PUT/DELETE /api/users/:id/block). */
  readonly blocks: BlockService;
  /** Uploads and their files (API.md "Attachments"); null without a blob store. */
  readonly attachments: AttachmentService | null;
  /** Removes the files of deleted messages, channels and servers (null with no uploads). */
  readonly attachmentCleanup: AttachmentCleanup | null;
  /** Removes uploads never sent (lib/services.ts runs it periodically; tests call `sweep`). */
  readonly orphanSweeper: OrphanSweeper | null;

  constructor(options: ChatServiceOptions) {
    const uploads = options.attachments;
    const cleanup = uploads ? new AttachmentCleanup(options.store, uploads.blobs) : null;
    const deps: ChatDeps = {
      store: options.store,
      access: options.access,
      // Every deletion publishes its event here once: the files of what it deleted go after it.
      publish: cleanup
        ? (envelope) => {
          options.publish(envelope);
          cleanup.onEvent(envelope.event);
        }
        : options.publish,
      now: options.now ?? Date.now,
    };
    const places = new ChannelPlaces();
    this.attachmentCleanup = cleanup;
    this.orphanSweeper = uploads ? new OrphanSweeper(options.store, uploads.blobs, deps.now) : null;
    this.attachments = uploads ? new AttachmentService(deps, places, uploads) : null;
    this.servers = new ServerService(deps);
    this.invites = new InviteService(deps);
    this.channels = new ChannelService(deps, places);
    this.messages = new MessageService(deps, places, {
      messageRateLimit: options.messageRateLimit,
      readRateLimit: options.readRateLimit,
      rateLimits: options.rateLimits,
      attachments: this.attachments ?? undefined,
      dms: new DmSendGate(deps),
    });
    this.dms = new DmService(deps, places);
    this.blocks = new BlockService(deps);
    this.reads = new ReadStateService(deps, places);
    this.typing = new TypingService(deps, places);
    this.roles = new RoleService(deps);
    this.overwrites = new OverwriteService(deps, places);
    this.serverAdmin = new ServerAdminService(deps);
    this.channelAdmin = new ChannelAdminService(deps, places);
    this.moderation = new ModerationService(deps);
    this.auditLog = new AuditLogService(deps);
    this.reactions = new ReactionService(deps, places);
    this.pins = new PinService(deps, places);
    this.emojis = new EmojiService(deps);
    this.users = new UserProfileService(deps);
    this.search = new SearchService(deps, {
      limit: options.searchRateLimit ?? DEFAULT_SEARCH_RATE_LIMIT,
      rateLimits: options.rateLimits,
    });
  }
}
