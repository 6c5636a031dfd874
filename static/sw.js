// Salon's service worker, served from the root scope as /sw.js (routes/pwa.ts) and registered
// by islands/AppShell.tsx on the chat page. Two jobs:
//
// 1. An offline app shell. Chat pages (navigations under /chat) and the files they load (the
//    bundles under /build/, /theme.js, the icons) go to the network first, and each answer is
//    kept in one cache; when the network fails, the kept copy answers, or for a chat page not
//    kept the last one visited. The page then boots from the cache and its socket shows the
//    Reconnecting banner, rather than the browser's error page. Network first, never cache
//    first: bundle names are stable across builds (lib/assets/build.ts), so a cached bundle
//    could be older than the page. Signing out (a navigation that ends on /login) empties the
//    cache, since a chat page is one person's.
// 2. Web Push (API.md "Notifications"): `push` shows the payload {title, body, url, channelId,
//    messageId}; a click on it focuses a tab of the app on `url`, or opens one.
//
// Plain JavaScript (not bundled): it must sit at the root and load before any island.

const CACHE = "salon-shell-v1";
/** Where the last chat page visited is kept, for a chat URL never visited (offline). */
const LAST_CHAT = "/__salon/last-chat-page";
const ASSET = /^\/(build\/|theme\.js$|favicon\.svg$|icons\/|manifest\.webmanifest$)/;
const SIGNED_OUT = /^\/(login|register)$/;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name)))
    ).then(() => self.clients.claim()),
  );
});

/** Keeps an answer, and for a chat page also as the last one visited. */
async function keep(request, response) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  if (request.mode === "navigate" || url.pathname.startsWith("/chat")) {
    await cache.put(LAST_CHAT, response.clone());
  }
  await cache.put(request.url, response);
}

function isChatPage(url) {
  return url.pathname === "/chat" || url.pathname.startsWith("/chat/");
}

async function fromNetwork(request, isPage) {
  try {
    const response = await fetch(request);
    const landed = new URL(response.url || request.url);
    if (isPage && SIGNED_OUT.test(landed.pathname)) {
      await caches.delete(CACHE);
    } else if (response.ok && response.type === "basic" && (!isPage || isChatPage(landed))) {
      await keep(request, response.clone());
    }
    return response;
  } catch (error) {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(request.url) ?? (isPage ? await cache.match(LAST_CHAT) : null);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.mode === "navigate") {
    if (isChatPage(url)) event.respondWith(fromNetwork(request, true));
    else if (SIGNED_OUT.test(url.pathname)) event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (ASSET.test(url.pathname)) event.respondWith(fromNetwork(request, false));
});

// The page that registered this worker names what it loaded (its own URL and its scripts and
// styles), so the first visit is kept too and not only the next one.
self.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.type !== "keep" || !Array.isArray(data.urls)) return;
  event.waitUntil(
    Promise.all(data.urls.map(async (href) => {
      const url = new URL(href, location.origin);
      if (url.origin !== location.origin || !(isChatPage(url) || ASSET.test(url.pathname))) {
        return;
      }
      const request = new Request(url.href, { credentials: "same-origin" });
      const response = await fetch(request).catch(() => null);
      if (response?.ok && !SIGNED_OUT.test(new URL(response.url).pathname)) {
        const cache = await caches.open(CACHE);
        await cache.put(url.href, response.clone());
        if (isChatPage(url)) await cache.put(LAST_CHAT, response);
      }
    })),
  );
});

self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : "" };
  }
  const title = typeof payload.title === "string" && payload.title ? payload.title : "Salon";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof payload.body === "string" ? payload.body : "",
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      tag: payload.channelId ?? undefined,
      data: { url: typeof payload.url === "string" ? payload.url : "/chat" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? "/chat", location.origin);
  if (target.origin !== location.origin) return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = windows.find((client) => client.url === target.href) ?? windows[0];
    if (same) {
      await same.focus();
      if (same.url !== target.href && "navigate" in same) await same.navigate(target.href);
      return;
    }
    await self.clients.openWindow(target.href);
  })());
});
