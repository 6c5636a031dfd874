/**
 * In-tab notifications (API.md "Notifications"): while the page is hidden, a message that
 * should notify the reader (notify_rules.ts, over the settings of `GET /api/me/notifications`)
 * shows a system notification, with a short sound when the reader turned it on in Settings;
 * a click on it brings the tab to that message. The favicon carries a red badge with the
 * unread mentions and DM messages, drawn on a canvas. Permission is never asked here: only
 * from Settings' `Enable notifications` button (a visible control).
 *
 * A page with no live socket is not notified here: the server then sends a Web Push instead,
 * which the service worker (static/sw.js) shows.
 */
import { effect, signal } from "@preact/signals";
import type { ServerEvent, WireMessage } from "../../lib/realtime/protocol.ts";
import type { NotificationSetting, ReadyWithDms } from "./dm_types.ts";
import { dmTitle, dmUrl } from "./dm_types.ts";
import { listNotificationSettings } from "./dm_api.ts";
import { dms, dmUnreadTotal, startDms } from "./dm_state.ts";
import { shouldNotify } from "./notify_rules.ts";
import { latestReady, onEvent, startSocket } from "./socket_client.ts";
import type { UnreadMap } from "./unread.ts";
import type { ReadonlySignal } from "@preact/signals";

/** The reader's notification settings by target id; updated by the settings menus too. */
export const notifySettings = signal<ReadonlyMap<string, NotificationSetting>>(new Map());

/** Where Settings keeps the sound choice (this browser only). */
export const SOUND_KEY = "salon-notify-sound";

/** Records a setting just saved, so notifications follow it at once. */
export function noteSetting(setting: NotificationSetting): void {
  notifySettings.value = new Map(notifySettings.value).set(setting.targetId, setting);
}

/** Server and name of every channel of the reader's servers, from `ready` and live events. */
const places = new Map<string, { serverId: string; name: string; serverName: string }>();
let started = false;

function learn(event: ServerEvent): void {
  if (event.type === "ready") {
    places.clear();
    for (const { server, channels } of (event as ReadyWithDms).servers) {
      for (const channel of channels) {
        places.set(channel.id, {
          serverId: server.id,
          name: channel.name,
          serverName: server.name,
        });
      }
    }
  } else if (event.type === "channel_created" || event.type === "channel_updated") {
    const serverName = [...places.values()].find((p) => p.serverId === event.channel.serverId)
      ?.serverName ?? "";
    places.set(event.channel.id, {
      serverId: event.channel.serverId,
      name: event.channel.name,
      serverName,
    });
  }
}

/** What a notification says of `message`, and where its click leads. */
function describe(message: WireMessage): { title: string; body: string; url: string } | null {
  const author = message.author.displayName || message.author.username;
  const text = message.content.trim() ||
    (message.attachments?.length ? `sent ${message.attachments.length} file(s)` : "");
  const dm = dms.value.find((channel) => channel.id === message.channelId);
  if (dm) {
    const title = dm.kind === "dm" ? author : `${author} in ${dmTitle(dm)}`;
    return { title, body: text, url: dmUrl(dm.id, message.seq) };
  }
  const place = places.get(message.channelId);
  if (!place) return null;
  return {
    title: `${author} in #${place.name} (${place.serverName})`,
    body: text,
    url: `/chat/${place.serverId}/${message.channelId}?m=${message.seq}`,
  };
}

function beep(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.frequency.value = 880;
    volume.gain.setValueAtTime(0.08, audio.currentTime);
    volume.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    tone.connect(volume).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
    tone.onended = () => audio.close();
  } catch {
    // No audio here (autoplay refused, no device): the notification alone is enough.
  }
}

async function show(message: WireMessage): Promise<void> {
  const what = describe(message);
  if (!what) return;
  const options: NotificationOptions = {
    body: what.body.slice(0, 200),
    tag: message.channelId,
    icon: "/icons/icon-192.png",
    data: { url: what.url },
  };
  if (localStorage.getItem(SOUND_KEY) === "on") beep();
  try {
    const notification = new Notification(what.title, options);
    notification.onclick = () => {
      focus();
      notification.close();
      location.assign(what.url);
    };
  } catch {
    // Where pages may not construct one (Android), the service worker shows it.
    const registration = await navigator.serviceWorker?.getRegistration();
    await registration?.showNotification(what.title, options);
  }
}

let loading: Promise<void> | null = null;

/**
 * Reads the settings the first time a hidden page may notify (not at load: most pages never
 * need them), keeping any saved here meanwhile.
 */
function loadSettings(): Promise<void> {
  loading ??= listNotificationSettings().then((result) => {
    if (!result.ok) {
      loading = null;
      return;
    }
    const known = new Map(notifySettings.value);
    for (const setting of result.value) {
      if (!known.has(setting.targetId)) known.set(setting.targetId, setting);
    }
    notifySettings.value = known;
  });
  return loading;
}

async function onMessage(message: WireMessage): Promise<void> {
  if (document.visibilityState !== "hidden") return;
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const meId = latestReady()?.user.id;
  if (!meId || message.author.id === meId) return;
  const place = places.get(message.channelId);
  const dm = dms.value.some((channel) => channel.id === message.channelId);
  if (!place && !dm) return;
  await loadSettings();
  const notify = shouldNotify(
    message,
    { channelId: message.channelId, serverId: dm ? null : place!.serverId },
    meId,
    notifySettings.value,
    Date.now(),
  );
  if (notify) await show(message);
}

/** Draws the favicon with a badge of `count` (0: the plain icon). */
function drawBadge(link: HTMLLinkElement, plain: string, count: number): void {
  if (count === 0) {
    link.href = plain;
    link.type = "image/svg+xml";
    return;
  }
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const context = canvas.getContext("2d");
    if (!context) return;
    context.drawImage(image, 0, 0, 64, 64);
    context.fillStyle = "#dc2626";
    context.beginPath();
    context.arc(44, 44, 20, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = "#fff";
    context.font = "bold 28px sans-serif";
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText(count > 9 ? "9+" : String(count), 44, 46);
    link.type = "image/png";
    link.href = canvas.toDataURL("image/png");
  };
  image.src = plain;
}

function startBadge(unread: ReadonlySignal<UnreadMap>): void {
  const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) return;
  const plain = link.href;
  let shown = -1;
  effect(() => {
    const mentions = Object.values(unread.value).reduce((sum, state) => sum + state.mentions, 0);
    const count = mentions + dmUnreadTotal.value;
    if (count === shown) return;
    shown = count;
    document.documentElement.dataset.badge = String(count);
    drawBadge(link, plain, count);
  });
}

function handle(event: ServerEvent): void {
  learn(event);
  if (event.type === "message") void onMessage(event.message);
}

/**
 * Starts notifications and the badge, once per page. `unread` is unread.ts's store, passed in:
 * imported here, the modules this chunk shares with the chat page would split into more files.
 * `early`: the events the page received while this chunk loaded, handled first.
 */
export function startNotifier(
  unread: ReadonlySignal<UnreadMap>,
  early: readonly ServerEvent[] = [],
): void {
  if (started) return;
  started = true;
  startDms();
  const ready = latestReady();
  if (ready) learn(ready);
  for (const event of early) handle(event);
  onEvent(handle);
  startSocket();
  startBadge(unread);
  // A setting saved in a notification dialog (components/NotifyDialog.tsx) applies at once.
  addEventListener("salon-notify-setting", (event) => {
    noteSetting((event as CustomEvent<NotificationSetting>).detail);
  });
}
