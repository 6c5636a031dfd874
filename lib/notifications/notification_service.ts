/**
 * The notification endpoints' service (API.md "Notifications"): a user's settings per server,
 * channel or DM, the VAPID public key, and the user's push subscriptions; and, underneath, the
 * notifier and the push sender (built here, closed with the services).
 */
import type {
  NotificationLevel,
  NotificationSettingRecord,
  Store,
  UserRecord,
} from "../../db/store.ts";
import { Invalid, NotFound } from "../errors.ts";
import { PUSH_ENDPOINT_MAX_LENGTH, PUSH_SUBSCRIPTIONS_PER_USER_MAX } from "../limits.ts";
import type { AccessBook } from "../permissions/access_book.ts";
import type { WireMessage } from "../realtime/protocol.ts";
import { plausibleId } from "../chat/membership.ts";
import { dmMembers } from "./dm_members.ts";
import { checkEndpoint, EndpointRefused } from "./endpoint_guard.ts";
import type { Resolve } from "./endpoint_guard.ts";
import { Notifier } from "./notifier.ts";
import type { PushConfig } from "./push_config.ts";
import { checkPushKeys, InvalidPushKeys } from "./push_encryption.ts";
import { PushSender } from "./push_sender.ts";
import { resolveVapidKeys, VapidSigner } from "./vapid_keys.ts";
import type { VapidKeys } from "./vapid_keys.ts";

const LEVELS: readonly NotificationLevel[] = ["all", "mentions", "none", "default"];

/** One entry of `GET /api/me/notifications`. */
export interface WireNotificationSetting {
  targetId: string;
  level: NotificationLevel;
  /** ISO time, or null when not muted (a mute that ended reads as null). */
  muteUntil: string | null;
}

export interface NotificationServiceDeps {
  store: Store;
  access: AccessBook;
  push: PushConfig;
  production: boolean;
  origin?: string;
  isOnline(userId: string): boolean;
  isVisible(userId: string): boolean;
  now?: () => number;
  /** DNS for the endpoint guard (tests may pass their own). */
  resolve?: Resolve;
}

export class NotificationService {
  #deps: NotificationServiceDeps;
  #now: () => number;
  #keys: VapidKeys | null;
  /** Null when push is off (production without VAPID keys). */
  readonly sender: PushSender | null;
  readonly notifier: Notifier | null;

  private constructor(deps: NotificationServiceDeps, keys: VapidKeys | null) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#keys = keys;
    this.sender = keys
      ? new PushSender({
        store: deps.store,
        signer: new VapidSigner(keys, this.#now),
        allowLoopback: deps.push.allowLoopback,
        resolve: deps.resolve,
        now: this.#now,
      })
      : null;
    this.notifier = this.sender
      ? new Notifier({
        store: deps.store,
        access: deps.access,
        isOnline: deps.isOnline,
        isVisible: deps.isVisible,
        sender: this.sender,
        now: this.#now,
      })
      : null;
  }

  /** Builds the service, with the VAPID keys from the configuration or the store. */
  static async create(deps: NotificationServiceDeps): Promise<NotificationService> {
    const keys = await resolveVapidKeys(deps.push, deps, deps.store);
    if (!keys) console.error("Web Push is off: set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY.");
    return new NotificationService(deps, keys);
  }

  /** A message this instance published (services.ts): its pushes, in the background. */
  messagePublished(message: WireMessage, serverId: string | undefined): void {
    this.notifier?.messagePublished(message, serverId);
  }

  /** The user's settings (mutes that ended read as none; what is left at default is left out). */
  async settings(user: UserRecord): Promise<WireNotificationSetting[]> {
    const now = this.#now();
    return (await this.#deps.store.listNotificationSettings(user.id)).flatMap((setting) => {
      const muteUntil = setting.muteUntil && setting.muteUntil.getTime() > now
        ? setting.muteUntil.toISOString()
        : null;
      if (setting.level === "default" && muteUntil === null) return [];
      return [{ targetId: setting.targetId, level: setting.level, muteUntil }];
    });
  }

  /** Sets the user's level (and mute) on a server, channel or DM they belong to. */
  async setSetting(user: UserRecord, targetId: string, body: Record<string, unknown>) {
    const level = body.level;
    if (typeof level !== "string" || !LEVELS.includes(level as NotificationLevel)) {
      throw new Invalid(
        "invalid_level",
        `level must be one of ${LEVELS.join(", ")}: got ${JSON.stringify(level)?.slice(0, 40)}.`,
        "level",
      );
    }
    const muteUntil = parseMuteUntil(body.muteUntil);
    await this.#requireTarget(user, targetId);
    const setting: NotificationSettingRecord = {
      userId: user.id,
      targetId,
      level: level as NotificationLevel,
      muteUntil,
    };
    await this.#deps.store.putNotificationSetting(setting);
  }

  /** NotFound unless the target is a server the user is in, or a channel or DM they may view. */
  async #requireTarget(user: UserRecord, targetId: string): Promise<void> {
    const { store, access } = this.#deps;
    const notFound = () => new NotFound("not_found", "No such server, channel or DM.");
    if (!plausibleId(targetId)) throw notFound();
    const [server, channel] = await Promise.all([
      store.findServer(targetId),
      store.findChannel(targetId),
    ]);
    if (server) {
      if (await store.isMember(server.id, user.id)) return;
      throw notFound();
    }
    if (channel) {
      const snapshot = await access.load(channel.serverId).catch(() => null);
      if (snapshot?.canView(user.id, channel.id)) return;
    }
    const members = await dmMembers(store, targetId);
    if (members?.includes(user.id)) return;
    throw notFound();
  }

  /** The VAPID public key; 404 `push_unavailable` when push is off. */
  publicKey(): string {
    if (!this.#keys) {
      throw new NotFound("push_unavailable", "Web Push is not configured on this server.");
    }
    return this.#keys.publicKey;
  }

  /** Stores the caller's subscription, after checking its keys and its endpoint. */
  async subscribe(user: UserRecord, body: Record<string, unknown>): Promise<void> {
    this.publicKey();
    const endpoint = endpointOf(body);
    const keys = body.keys as Record<string, unknown> | undefined;
    if (
      typeof keys !== "object" || keys === null || typeof keys.p256dh !== "string" ||
      typeof keys.auth !== "string" || keys.p256dh.length > 200 || keys.auth.length > 100
    ) {
      throw new Invalid(
        "invalid_subscription",
        "keys must be {p256dh, auth}: base64url strings, as PushSubscription.toJSON() gives.",
        "keys",
      );
    }
    try {
      await checkPushKeys({ p256dh: keys.p256dh, auth: keys.auth });
    } catch (error) {
      if (error instanceof InvalidPushKeys) {
        throw new Invalid("invalid_subscription", error.message, "keys");
      }
      throw error;
    }
    try {
      await checkEndpoint(endpoint, {
        allowLoopback: this.#deps.push.allowLoopback,
        resolve: this.#deps.resolve,
      });
    } catch (error) {
      if (error instanceof EndpointRefused) {
        throw new Invalid("endpoint_not_allowed", error.message, "endpoint");
      }
      throw error;
    }
    await this.#deps.store.putPushSubscription({
      userId: user.id,
      endpoint,
      p256dh: keys.p256dh,
      auth: keys.auth,
      createdAt: new Date(this.#now()),
    }, PUSH_SUBSCRIPTIONS_PER_USER_MAX);
  }

  /** Deletes the caller's subscription with that endpoint (none: nothing to do). */
  async unsubscribe(user: UserRecord, body: Record<string, unknown>): Promise<void> {
    await this.#deps.store.deletePushSubscription(endpointOf(body), user.id);
  }

  /** Every message handed in so far decided, and every push sent (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.notifier?.settled();
    await this.sender?.settled();
  }

  /** Stops sending; pushes in flight finish (each bounded by its timeout). */
  async close(): Promise<void> {
    await this.notifier?.settled();
    await this.sender?.close();
  }
}

/**
 * The endpoint as stored: a URL's serialised form (ASCII: punycode host, percent-encoded path),
 * so its length bounds its bytes too (PostgreSQL keys it: 6 KB of CJK made a 500 there).
 */
function endpointOf(body: Record<string, unknown>): string {
  const raw = body.endpoint;
  const endpoint = typeof raw === "string" && URL.canParse(raw) ? new URL(raw).href : raw;
  if (
    typeof endpoint !== "string" || endpoint === "" || endpoint.length > PUSH_ENDPOINT_MAX_LENGTH
  ) {
    throw new Invalid(
      "invalid_subscription",
      `endpoint must be a URL of at most ${PUSH_ENDPOINT_MAX_LENGTH} characters.`,
      "endpoint",
    );
  }
  return endpoint;
}

/** `muteUntil`: absent or null (not muted), or an ISO time. */
function parseMuteUntil(raw: unknown): Date | null {
  if (raw === undefined || raw === null) return null;
  const time = typeof raw === "string" && raw.length <= 40 ? Date.parse(raw) : NaN;
  // Years 1–9999 only: JavaScript also takes year 0 and negative years, which PostgreSQL refuses.
  const year = new Date(time).getUTCFullYear();
  if (Number.isNaN(time) || year < 1 || year > 9999) {
    throw new Invalid(
      "invalid_mute_until",
      `muteUntil must be an ISO time or null: got ${JSON.stringify(raw)?.slice(0, 40)}.`,
      "muteUntil",
    );
  }
  return new Date(time);
}
