/**
 * What makes the chat page an app, with nothing to show: it registers the service worker
 * (static/sw.js: the offline shell and Web Push) once the page has loaded, and tells it what
 * this page loaded so a first visit already works offline; and it starts in-tab notifications
 * and the favicon's badge (runtime/notifier.ts). On the DM pages it also shows the Reconnecting
 * banner. In the chat page's bundle.
 */
import { effect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ServerEvent } from "../lib/realtime/protocol.ts";
import { connection, onEvent } from "./runtime/socket_client.ts";
import { dmUnreadTotal, startDms } from "./runtime/dm_state.ts";
import { unread } from "./runtime/unread.ts";

/** The service worker's URL (routes/pwa.ts serves it; its scope is the whole site). */
const SERVICE_WORKER_URL = "/sw.js";

let notifier: Promise<unknown> | null = null;

/**
 * Loads notifications and the badge (their own chunk: the chat page's JavaScript budget) once
 * they can matter: notifications are allowed, or something unread would show on the favicon.
 */
function startNotifications(): void {
  startDms();
  const load = () => {
    if (notifier) return notifier;
    // Messages that arrive while the chunk loads are kept for it: a page that just loaded
    // would otherwise miss the first ones (seen after a reload in notifications_browser_test).
    const early: ServerEvent[] = [];
    const stopKeeping = onEvent((event) => early.push(event));
    return notifier = import("./runtime/notifier.ts").then((loaded) => {
      stopKeeping();
      loaded.startNotifier(unread, early);
    });
  };
  if (typeof Notification !== "undefined" && Notification.permission === "granted") {
    void load();
    return;
  }
  const stop = effect(() => {
    const mentions = Object.values(unread.value).some((state) => state.mentions > 0);
    if (!mentions && dmUnreadTotal.value === 0) return;
    void load();
    // After this run (an effect cannot dispose itself while it runs).
    queueMicrotask(() => stop());
  });
}

async function registerWorker(): Promise<void> {
  await navigator.serviceWorker.register(SERVICE_WORKER_URL);
  const registration = await navigator.serviceWorker.ready;
  const loaded = (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
    .map((entry) => entry.name)
    .filter((url) => /\/(build\/|theme\.js|favicon\.svg)/.test(url));
  registration.active?.postMessage({ type: "keep", urls: [location.href, ...loaded] });
}

export interface AppShellProps {
  /** Show the connection banner (pages without ChatPresence, which shows it on a channel's). */
  banner?: boolean;
}

export default function AppShell({ banner = false }: AppShellProps) {
  useEffect(() => {
    startNotifications();
    if (!("serviceWorker" in navigator)) return;
    const start = () =>
      registerWorker().catch((error) => console.warn("Service worker not registered:", error));
    if (document.readyState === "complete") void start();
    else addEventListener("load", () => void start(), { once: true });
  }, []);
  if (!banner || connection.value !== "reconnecting") return null;
  return (
    <p role="status" class="bg-amber-100 px-4 py-1 text-center text-sm text-amber-900">
      Reconnecting… messages you send will go out when the connection is back.
    </p>
  );
}
