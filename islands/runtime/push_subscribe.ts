/**
 * Web Push for this browser (API.md "Notifications"): asks the permission (call it only from a
 * click), registers the service worker, subscribes with the server's VAPID key
 * (`GET /api/push/key`) and hands the subscription to the server
 * (`POST /api/push/subscriptions`), so a message that should notify arrives with the tab
 * closed. Loaded with the Settings section that uses it.
 */
import { call, json, nothing } from "./api.ts";

/** What came of asking. */
export type PushOutcome =
  | { ok: true; push: boolean }
  | { ok: false; message: string };

/** The bytes of a base64url string (a VAPID public key). */
export function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(
    Math.ceil(text.length / 4) * 4,
    "=",
  );
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Asks the permission, then subscribes to Web Push. `push: false` when notifications are on
 * but this browser offers no push service (they then show only while a tab is open).
 */
export async function enableNotifications(): Promise<PushOutcome> {
  if (typeof Notification === "undefined") {
    return { ok: false, message: "This browser cannot show notifications." };
  }
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    return { ok: false, message: "Notifications are blocked for this site in the browser." };
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    return { ok: true, push: false };
  }
  try {
    await navigator.serviceWorker.register("/sw.js");
    const registration = await navigator.serviceWorker.ready;
    const key = await call(
      "/api/push/key",
      { method: "GET" },
      (body) => (body as { publicKey: string }).publicKey,
    );
    if (!key.ok) return { ok: true, push: false };
    const subscription = await registration.pushManager.getSubscription() ??
      await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64UrlBytes(key.value),
      });
    const { endpoint, keys } = subscription.toJSON();
    const saved = await call(
      "/api/push/subscriptions",
      json("POST", { endpoint, keys }),
      nothing,
    );
    // A 201 with no body reads as "unreadable" here: it was stored all the same.
    return { ok: true, push: saved.ok || saved.error.code === "invalid_answer" };
  } catch {
    // No push service reachable (a closed network, a browser without one).
    return { ok: true, push: false };
  }
}

/** Ends this browser's push subscription, here and on the server. */
export async function disablePush(): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  await call(
    "/api/push/subscriptions",
    json("DELETE", { endpoint: subscription.endpoint }),
    nothing,
  );
  await subscription.unsubscribe();
}
