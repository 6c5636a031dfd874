/**
 * Builds the domain services and the real-time layer over a store: the one composition root
 * that main.ts and the tests share.
 *
 * Wiring: services publish envelopes on the bus; the bus hands them to this instance's hub at
 * once and (with PostgreSQL) to the other instances through LISTEN/NOTIFY; each hub delivers to
 * its sockets, reading gaps back from the store. One AccessBook per instance holds the
 * permission snapshots: the services check against it, the hub keeps it current from the
 * events it dispatches (before delivering them) and filters each channel's events by it.
 */
import type { Store } from "../db/store.ts";
import { AccountService } from "./accounts/account_service.ts";
import type { Authenticated } from "./accounts/account_service.ts";
import { ChatService } from "./chat/chat_service.ts";
import { changesSince } from "./conversations/convergence.ts";
import type { Config } from "./config.ts";
import { resolveJwtSecret } from "./jwt_secret.ts";
import { createMailer } from "./accounts/mailer.ts";
import { createPasswordHasher } from "./password_worker_pool.ts";
import { AccessBook } from "./permissions/access_book.ts";
import { toPublicUser } from "./public_user.ts";
import { openSecurityLog } from "./accounts/security_log.ts";
import {
  ACCESS_SWEEP_MS,
  MESSAGE_PAGE_MAX,
  SHUTDOWN_SOCKET_GRACE_MS,
  WS_CLOSE_RESTART,
} from "./limits.ts";
import type { Bus } from "./realtime/bus.ts";
import { LocalBus } from "./realtime/bus.ts";
import { Hub } from "./realtime/hub.ts";
import { PostgresBus } from "./realtime/postgres_bus.ts";
import { KvBus } from "./realtime/kv_bus.ts";
import { NatsBus } from "./realtime/nats_bus.ts";
import { RedisBus } from "./realtime/redis_bus.ts";
import type { SocketChat } from "./realtime/socket_chat.ts";
import { SocketSession } from "./realtime/socket_session.ts";
import type { SocketSessionHooks } from "./realtime/socket_session.ts";
import { createTokenSigner } from "./tokens.ts";
import { openRateLimits } from "./rate_limits/open_rate_limits.ts";
import type { BlobStore } from "../db/blob_store.ts";
import { openBlobStore } from "../db/blobs/open_blob_store.ts";
import { lazyBlobStore } from "./attachments/lazy_blob_store.ts";
import { loadImageProcessor } from "./attachments/image_processing.ts";
import { createUrlSigner } from "./attachments/signed_urls.ts";
import { ATTACHMENT_SWEEP_INTERVAL_MS } from "./limits.ts";
import { NotificationService } from "./notifications/notification_service.ts";
import { parsePushConfig } from "./notifications/push_config.ts";

export interface Services {
  accounts: AccountService;
  chat: ChatService;
  hub: Hub;
  /** Notification settings, push subscriptions, and the pushes new messages make. */
  notifications: NotificationService;
  /** A session for a new WebSocket (authenticated by cookie, or later by an `auth` frame). */
  openSocket(auth: Authenticated | null, hooks?: SocketSessionHooks): SocketSession;
  /** Closes every socket with 1012 (restarting) and stops the bus. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** The NOTIFY channel of the PostgreSQL bus (tests isolate themselves with their own). */
  busChannel?: string;
  /** Instance heartbeat period and expiry (lib/limits.ts; tests shorten them). */
  heartbeatMs?: number;
  instanceExpiryMs?: number;
  /** The blob store for uploads (default: opened from `config.blobStore` when first needed). */
  blobStore?: BlobStore;
}

export async function createServices(
  config: Config,
  store: Store,
  options: ServiceOptions = {},
): Promise<Services> {
  const instanceId = crypto.randomUUID();
  // The bus is created last (it needs the hub and chat); nothing publishes before that.
  const publish = (envelope: Parameters<Bus["publish"]>[0]) => {
    bus.publish(envelope);
    // A message sent here: its pushes are decided here, after it went out (lib/notifications/).
    if (envelope.event.type === "message") {
      const { target } = envelope;
      notifying.service?.messagePublished(
        envelope.event.message,
        "servers" in target && target.servers.length === 1 ? target.servers[0] : undefined,
      );
    }
  };
  // Set once the hub exists (it knows whose pages are in sight); no message is sent before.
  const notifying: { service?: NotificationService } = {};

  const secret = await resolveJwtSecret(config, store);
  const tokens = createTokenSigner(secret);
  // Uploaded files: closed with the services (it is opened on first use).
  const blobs = lazyBlobStore(
    () =>
      openBlobStore({
        blobStore: config.blobStore,
        databaseUrl: config.databaseUrl,
        kvPath: config.kvPath,
      }),
    options.blobStore,
  );
  // Avatars' bytes go to the blob store; those stored before move there in the background
  // (db/blob_moves.ts), read from the store meanwhile.
  await store.attachBlobStore?.(blobs.get);
  const avatarMove = store.moveAvatarsToBlobs?.().catch((error) =>
    console.error("Moving avatars to the blob store failed:", error)
  );
  // Server icons and custom emoji likewise, after the avatars.
  const imageMove = Promise.resolve(avatarMove).then(() => store.moveServerImagesToBlobs?.())
    .catch((error) => console.error("Moving icons and emoji to the blob store failed:", error));
  const images = await loadImageProcessor();
  // With BUS=redis the counts are shared by every instance (N instances allow what one allows);
  // opened first: nothing else is left to close if Redis cannot be reached.
  const rateLimits = await openRateLimits(config, config.busPrefix);
  const passwords = createPasswordHasher(config.bcryptCost);
  const securityLog = openSecurityLog(config.securityLog);
  const accounts = new AccountService({
    store,
    tokens,
    passwords,
    loginRateLimit: config.rateLimits.login,
    registerRateLimit: config.rateLimits.register,
    rateLimits,
    boundPasswordJobsPerAddress: config.rateLimits.perAddress,
    registration: config.registration,
    // `chat` is built just below; a registration only calls this later, at run time.
    joinInvite: (user, code) => chat.invites.join(user, code),
    securityLog,
    adminUsernames: config.adminUsernames,
    mailer: config.smtpUrl === undefined
      ? undefined
      : createMailer(config.smtpUrl, config.mailFrom),
    onAccountDeleted: (user, serverIds) => {
      for (const serverId of serverIds) {
        publish({
          target: { servers: [serverId] },
          event: { type: "member_left", serverId, user: toPublicUser(user) },
        });
      }
    },
    // Everyone sharing a server or a DM (a DM is its own place: lib/dms/dm_access.ts) sees the
    // new name or avatar (one envelope: each socket once).
    onProfileChanged: (user) =>
      void Promise.all([store.listServersOf(user.id), store.listDmIdsOf(user.id)]).then(
        ([servers, dmIds]) => {
          const places = [...servers.map((s) => s.id), ...dmIds];
          if (places.length === 0) return;
          publish({ target: { servers: places }, event: { type: "user_updated", user } });
        },
      ).catch((error) => console.error("user_updated not published:", error)),
    onSessionEnded: (sessionId) =>
      publish({
        target: { session: sessionId },
        event: { type: "error", code: "session_ended", message: "You have been logged out." },
      }),
  });
  const access = new AccessBook(store);
  const chat = new ChatService({
    store,
    access,
    publish,
    messageRateLimit: config.rateLimits.message,
    readRateLimit: config.rateLimits.read,
    searchRateLimit: config.rateLimits.search,
    rateLimits,
    attachments: {
      blobs: blobs.get,
      images,
      signer: await createUrlSigner(secret),
      maxBytes: config.attachmentMaxBytes,
      quotaBytes: config.uploadQuotaBytes,
    },
  });
  const hub = new Hub({
    instanceId,
    access,
    loadMessages: (channelId, after, before) =>
      chat.messages.after(channelId, after, before, MESSAGE_PAGE_MAX),
    heartbeatMs: options.heartbeatMs,
    instanceExpiryMs: options.instanceExpiryMs,
  });
  const dispatch = (envelope: Parameters<Bus["publish"]>[0]) => hub.dispatch(envelope);
  let bus: Bus;
  try {
    bus = await openBus(config, store, options, {
      instanceId,
      dispatch,
      loadMessage: (id) => chat.messages.wire(id),
      // Events may have been lost while the bus was down: permissions first, then messages.
      onResubscribe: () => void hub.resubscribed(),
    });
  } catch (error) {
    passwords.close();
    securityLog.close();
    await rateLimits.close();
    throw error;
  }
  hub.attach(bus);
  const notificationService = await NotificationService.create({
    store,
    access,
    push: config.push ?? parsePushConfig({}),
    production: config.production,
    origin: config.origin,
    isOnline: (userId) => hub.isOnline(userId),
    isVisible: (userId) => hub.isVisible(userId),
  });
  notifying.service = notificationService;
  // Snapshots of servers with no socket here go (read again when next needed).
  const sweeper = setInterval(() => access.sweep((id) => hub.serves(id)), ACCESS_SWEEP_MS);
  chat.orphanSweeper?.start(ATTACHMENT_SWEEP_INTERVAL_MS);
  const socketChat = socketChatOf(chat);

  const sessions = new Set<SocketSession>();
  return {
    accounts,
    chat,
    hub,
    notifications: notificationService,
    openSocket(auth, hooks = {}) {
      const session: SocketSession = new SocketSession(
        { hub, chat: socketChat, accounts },
        auth,
        {
          ...hooks,
          onFinished: () => {
            sessions.delete(session);
            hooks.onFinished?.();
          },
        },
      );
      sessions.add(session);
      return session;
    },
    async close() {
      // 1012 tells clients to come back; give the close frames a moment to reach them before
      // the server itself stops (which would cut the sockets with 1001).
      const closing = [...sessions].map((session) => {
        session.close(WS_CLOSE_RESTART, "server restarting");
        return session.finished();
      });
      await Promise.race([
        Promise.all(closing),
        new Promise((resolve) => setTimeout(resolve, SHUTDOWN_SOCKET_GRACE_MS)),
      ]);
      // A reset mail being sent finishes (or fails) before the process goes.
      await accounts.resets.settled();
      // Pushes in flight finish (each bounded by its timeout) before the store closes.
      await notificationService.close();
      await bus.close();
      await rateLimits.close();
      // File removals under way finish before the stores they write to are closed.
      await chat.orphanSweeper?.stop();
      await chat.attachmentCleanup?.settled();
      await avatarMove;
      await imageMove;
      await blobs.close();
      // Permission re-reads under way finish before the store they read from is closed.
      clearInterval(sweeper);
      await access.close();
      hub.close();
      passwords.close();
      securityLog.close();
    },
  };
}

interface BusHooks {
  instanceId: string;
  dispatch: (envelope: Parameters<Bus["publish"]>[0]) => void;
  loadMessage: (id: string) => ReturnType<ChatService["messages"]["wire"]>;
  onResubscribe: () => void;
}

/** The chat operations a socket session runs, taken from the services that own them. */
function socketChatOf(chat: ChatService): SocketChat {
  return {
    serverIdsOf: (user) => chat.servers.idsOf(user),
    dmIdsOf: (user) => chat.dms.idsOf(user),
    readyDms: (user) => chat.dms.list(user),
    readyState: (user, serverIds) => chat.reads.ready(user, serverIds),
    memberChannel: (user, channelId) => chat.channels.member(user, channelId),
    replayPage: (user, channelId, afterSeq, beforeSeq, limit) =>
      chat.messages.replay(user, channelId, afterSeq, beforeSeq, limit),
    sendMessage: (user, channelId, input, socketId, onQueued) =>
      chat.messages.send(user, channelId, input, socketId, onQueued),
    typing: (user, channelId, socketId) => chat.typing.start(user, channelId, socketId),
    changesSince: async (user, channelId, since) => {
      // What changed is history too: only for those who may read it.
      await chat.messages.readable(user, channelId, false);
      return await changesSince(chat.messages.deps.store, user.id, channelId, since);
    },
  };
}

/** The bus the configuration asks for. */
async function openBus(
  config: Config,
  store: Store,
  options: ServiceOptions,
  hooks: BusHooks,
): Promise<Bus> {
  switch (config.bus) {
    case "postgres":
      return await PostgresBus.start({
        url: config.databaseUrl!,
        channel: options.busChannel,
        ...hooks,
      });
    case "kv":
      if (!store.kvBusTransport) throw new Error("The KV bus needs the KV store");
      return await KvBus.start({ kv: store.kvBusTransport, ...hooks });
    case "redis":
      return await RedisBus.start({ url: config.redisUrl!, prefix: config.busPrefix, ...hooks });
    case "nats":
      return await NatsBus.start({ url: config.natsUrl!, prefix: config.busPrefix, ...hooks });
    case "local":
      return new LocalBus(hooks.dispatch);
  }
}
