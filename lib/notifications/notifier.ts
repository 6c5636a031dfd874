/**
 * Who a new message notifies, and the pushes it makes (API.md "Notifications"). Runs on the
 * instance where the message was sent, after it was published (services.ts hands it every
 * `message` envelope it publishes), and never holds up delivery: it reads, decides and
 * enqueues in the background.
 *
 * In a server channel: the users it mentions, everyone who may view the channel when it says
 * `@everyone` (only those online for `@here`), and those whose level there is `all`; in a DM,
 * its members. Each is filtered by their settings (notify_decision.ts), never the author; then
 * anyone with a live page in sight anywhere (Hub.isVisible: this instance's sockets, and the
 * other instances' through their presence and `page_visibility` events) is left out, since they
 * see the message live. Everyone left with a subscription gets a push.
 */
import type { NotificationSettingRecord, Store } from "../../db/store.ts";
import type { AccessBook } from "../permissions/access_book.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { WireMessage } from "../realtime/protocol.ts";
import {
  PUSH_BODY_PREVIEW_MAX,
  PUSH_PAYLOAD_MAX_BYTES,
  PUSH_RECENT_MESSAGES,
  PUSH_START_DELAY_MS,
} from "../limits.ts";
import { dmMembers } from "./dm_members.ts";
import { hereOnly, shouldNotify } from "./notify_decision.ts";
import type { SettingsForMessage } from "./notify_decision.ts";
import type { PushJob, PushSender } from "./push_sender.ts";

/** The push payload (API.md): what the service worker shows, and where a click goes. */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
  channelId: string;
  messageId: string;
}

export interface NotifierDeps {
  store: Store;
  access: AccessBook;
  /** A socket of the user is open somewhere (for `@here`). */
  isOnline(userId: string): boolean;
  /** A page of the user is in sight somewhere (then nothing is pushed). */
  isVisible(userId: string): boolean;
  sender: PushSender;
  now(): number;
}

/** One user to push to, and how urgently. */
interface Recipient {
  userId: string;
  urgent: boolean;
}

export class Notifier {
  #deps: NotifierDeps;
  /** Messages handled lately: an envelope published to several targets is handled once. */
  #recent = new Set<string>();
  #pending = new Set<Promise<void>>();

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
  }

  /** A message was published by this instance (`serverId`: its envelope's, when it had one). */
  messagePublished(message: WireMessage, serverId: string | undefined): void {
    if (this.#recent.has(message.id)) return;
    this.#recent.add(message.id);
    if (this.#recent.size > PUSH_RECENT_MESSAGES) {
      this.#recent.delete(this.#recent.values().next().value!);
    }
    // A moment later: the live fan-out's socket writes and the sender's answer go out first.
    const run = new Promise((resolve) => setTimeout(resolve, PUSH_START_DELAY_MS))
      .then(() => this.#handle(message, serverId))
      .catch((error) => console.error(`Notifications for message ${message.id} failed:`, error));
    this.#pending.add(run);
    void run.finally(() => this.#pending.delete(run));
  }

  /** Resolves once every message handed in so far was decided and its pushes queued. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #handle(message: WireMessage, serverId: string | undefined): Promise<void> {
    const { store, access } = this.#deps;
    const snapshot = serverId === undefined ? undefined : await access.load(serverId);
    const channel = snapshot?.channel(message.channelId);
    let recipients: Recipient[];
    let title: string;
    let url: string;
    if (snapshot && channel && channel.kind !== "dm" && channel.kind !== "group_dm") {
      recipients = await this.#inServer(message, snapshot);
      title = `${message.author.displayName} (#${channel.name}, ${snapshot.server.name})`;
      url = `/chat/${snapshot.server.id}/${channel.id}?m=${message.seq}`;
    } else {
      const members = await dmMembers(store, message.channelId);
      if (!members) return;
      recipients = await this.#inDm(message, members);
      title = message.author.displayName;
      url = `/chat/dm/${message.channelId}?m=${message.seq}`;
    }
    const unseen = recipients.filter(({ userId }) => !this.#deps.isVisible(userId));
    if (unseen.length === 0) return;
    const subscriptions = await store.listPushSubscriptions(unseen.map((r) => r.userId));
    if (subscriptions.length === 0) return;
    const urgent = new Set(unseen.filter((r) => r.urgent).map((r) => r.userId));
    const payload = encodePayload({
      title,
      body: preview(message),
      url,
      channelId: message.channelId,
      messageId: message.id,
    });
    const jobs: PushJob[] = subscriptions.map((subscription) => ({
      subscription,
      payload,
      urgency: urgent.has(subscription.userId) ? "high" : "normal",
    }));
    this.#deps.sender.enqueue(jobs);
  }

  /** The users a message in a server channel notifies (settings applied). */
  async #inServer(message: WireMessage, access: ServerAccess): Promise<Recipient[]> {
    const serverId = access.server.id;
    const channelId = message.channelId;
    const settings = bySettingUser(
      await this.#deps.store.notificationSettingsOn([serverId, channelId]),
      channelId,
      serverId,
    );
    const mentions = message.mentions ?? { users: [], everyone: false };
    const mentioned = new Set(mentions.users);
    const here = mentions.everyone && hereOnly(message.content);
    const candidates = new Set<string>(mentions.users);
    for (const [userId, mine] of settings) {
      if (mine.channel?.level === "all" || mine.server?.level === "all") candidates.add(userId);
    }
    if (mentions.everyone) {
      for (const userId of access.memberIds()) {
        if (!here || this.#deps.isOnline(userId)) {
          candidates.add(userId);
          mentioned.add(userId);
        }
      }
    }
    const now = this.#deps.now();
    const recipients: Recipient[] = [];
    for (const userId of candidates) {
      if (userId === message.author.id || !access.canView(userId, channelId)) continue;
      const isMentioned = mentioned.has(userId);
      if (
        shouldNotify({
          settings: settings.get(userId) ?? {},
          isDm: false,
          mentioned: isMentioned,
          now,
        })
      ) recipients.push({ userId, urgent: isMentioned });
    }
    return recipients;
  }

  /** The members a DM message notifies (settings applied). */
  async #inDm(message: WireMessage, members: string[]): Promise<Recipient[]> {
    const settings = bySettingUser(
      await this.#deps.store.notificationSettingsOn([message.channelId]),
      message.channelId,
      undefined,
    );
    const now = this.#deps.now();
    return members
      .filter((userId) => userId !== message.author.id)
      .filter((userId) =>
        shouldNotify({ settings: settings.get(userId) ?? {}, isDm: true, mentioned: true, now })
      )
      .map((userId) => ({ userId, urgent: true }));
  }
}

/** Each user's settings on the message's channel and server. */
function bySettingUser(
  settings: NotificationSettingRecord[],
  channelId: string,
  serverId: string | undefined,
): Map<string, SettingsForMessage> {
  const users = new Map<string, SettingsForMessage>();
  for (const setting of settings) {
    const mine = users.get(setting.userId) ?? {};
    if (setting.targetId === channelId) mine.channel = setting;
    else if (setting.targetId === serverId) mine.server = setting;
    users.set(setting.userId, mine);
  }
  return users;
}

/** The notification's text: the start of the message (or what it carries). */
function preview(message: WireMessage): string {
  const text = message.content.trim();
  if (text === "") return (message.attachments?.length ?? 0) > 0 ? "Sent a file" : "";
  return text.length <= PUSH_BODY_PREVIEW_MAX
    ? text
    : `${text.slice(0, PUSH_BODY_PREVIEW_MAX - 1)}…`;
}

/** The payload as UTF-8 JSON within PUSH_PAYLOAD_MAX_BYTES (the body is cut to fit). */
export function encodePayload(payload: PushPayload): Uint8Array {
  const encoder = new TextEncoder();
  let bytes = encoder.encode(JSON.stringify(payload));
  let body = payload.body;
  while (bytes.length > PUSH_PAYLOAD_MAX_BYTES && body.length > 0) {
    body = body.slice(0, Math.floor(body.length / 2));
    bytes = encoder.encode(JSON.stringify({ ...payload, body: `${body}…` }));
  }
  return bytes;
}
