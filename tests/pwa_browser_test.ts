/**
 * The installable app (routes/pwa.ts, static/sw.js): the web app manifest and its icons are
 * served and linked from every page, the service worker registers for the whole site from the
 * chat page, and a reload with the network gone shows the last chat page (its messages) with
 * the Reconnecting banner instead of the browser's error page.
 */
import assert from "node:assert/strict";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

browserTest("pwa - the manifest and its icons are served and linked", async ({ app, pageAs }) => {
  const response = await fetch(`${app.url}/manifest.webmanifest`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("Content-Type") ?? "", /^application\/manifest\+json/);
  const manifest = await response.json() as {
    name: string;
    start_url: string;
    display: string;
    icons: { src: string; sizes: string; type: string; purpose?: string }[];
  };
  assert.equal(manifest.name, "Salon");
  assert.equal(manifest.start_url, "/chat");
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.icons.some((icon) => icon.sizes === "512x512" && !icon.purpose));
  assert.ok(manifest.icons.some((icon) => icon.purpose === "maskable"));
  for (const icon of manifest.icons) {
    const image = await fetch(new URL(icon.src, app.url));
    assert.equal(image.status, 200, icon.src);
    assert.equal(image.headers.get("Content-Type"), "image/png");
    const bytes = new Uint8Array(await image.arrayBuffer());
    // The PNG signature, and the size the manifest says (IHDR width and height).
    assert.deepEqual([...bytes.slice(1, 4)], [0x50, 0x4e, 0x47]);
    const view = new DataView(bytes.buffer);
    assert.equal(`${view.getUint32(16)}x${view.getUint32(20)}`, icon.sizes, icon.src);
  }
  const worker = await fetch(`${app.url}/sw.js`);
  assert.equal(worker.status, 200);
  assert.match(worker.headers.get("Content-Type") ?? "", /javascript/);
  assert.equal(worker.headers.get("Cache-Control"), "no-cache");
  await worker.body?.cancel();

  const { serverId, channelId, member } = await room(app);
  const page = await pageAs(member);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await socketReady(page);
  // Registering the worker (and the notifications it brings) keeps the page in its budget.
  const scripts = await page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((entry) => /\.js(\?|$)/.test(entry.name))
      .reduce((sum, entry) => sum + entry.encodedBodySize, 0)
  );
  console.log(`chat page scripts: ${scripts} bytes (gzip)`);
  assert.ok(scripts > 0 && scripts <= 40 * 1024, `${scripts} bytes of scripts`);
  assert.equal(
    await page.locator('link[rel="manifest"]').getAttribute("href"),
    "/manifest.webmanifest",
  );
});

browserTest(
  "pwa - the service worker registers; offline, a reload shows the last page and Reconnecting",
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
      json: { content: "kept for offline" },
    });
    const page = await pageAs(member);
    const problems = watchProblems(page);
    const url = `${app.url}/chat/${serverId}/${channelId}`;
    await page.goto(url);
    await socketReady(page);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, `${app.url}/`);
    // It takes the page that registered it (clients.claim), so this first visit is its own.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      polling: 100,
    });
    // A visit under its control (a lazy chunk a first visit loaded before the worker took the
    // page may be missing from the cache: offline, an island then never hydrated, 1 run in 10
    // under load), then the page and its scripts are kept.
    await page.reload();
    await socketReady(page);
    await page.waitForFunction(
      async () => {
        const cache = await caches.open("salon-shell-v1");
        const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
          .map((entry) => entry.name).filter((name) => name.includes("/build/"));
        const kept = await Promise.all([location.href, ...scripts].map((u) => cache.match(u)));
        return scripts.length > 0 && kept.every(Boolean);
      },
      undefined,
      { polling: 100 },
    );
    assert.deepEqual(problems, []);

    await page.context().setOffline(true);
    await page.reload();
    await page.getByText("kept for offline").waitFor();
    await page.waitForSelector("html[data-islands-ready][data-connection=reconnecting]", {
      state: "attached",
    }).catch(async (error) => {
      console.log(await page.evaluate(() => JSON.stringify(document.documentElement.dataset)));
      throw error;
    });
    await page.getByRole("status").filter({ hasText: "Reconnecting" }).waitFor();
    assert.equal(
      await page.getByRole("textbox", { name: "Message #general" }).isVisible(),
      true,
    );

    // Back online, the page comes back to life.
    await page.context().setOffline(false);
    await page.reload();
    await socketReady(page);
  },
);
