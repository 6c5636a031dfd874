/**
 * Notifications in the browser (API.md "Notifications"): with permission granted (through the
 * browser context, as a person would in the prompt) and the page hidden, a DM and a mention of
 * the reader show a system notification and a plain message does not; a server set to
 * `none` silences its mentions; the page tells the server over its socket when it hides and
 * shows; the favicon carries the unread mentions and DMs; the service worker shows a Web Push
 * payload; and Settings' `Enable notifications` asks for the permission on a click.
 */
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

const NO_LIMITS = { RATE_LIMITS: "off" };

/** Records each Notification the page constructs (the real one is still shown). */
async function recordNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Real = globalThis.Notification;
    const shown: { title: string; body: string }[] = [];
    (globalThis as unknown as { __shown: typeof shown }).__shown = shown;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? "" });
      }
    }
    globalThis.Notification = Recorded;
  });
}

const shown = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __shown: unknown[] }).__shown);

/**
 * Hides the page as switching to another tab would. Headless Chromium keeps every page
 * visible, so the document says "hidden" and fires `visibilitychange` as a browser does.
 */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get: () => hidden ? "hidden" : "visible",
    });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

browserTest(
  "notifications - a hidden page shows DMs and mentions, not plain messages; the badge",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const page = await pageAs(member, { permissions: ["notifications"] });
    await recordNotifications(page.context());
    const problems = watchProblems(page);
    const frames: string[] = [];
    page.on(
      "websocket",
      (socket) => socket.on("framesent", (frame) => frames.push(String(frame.payload))),
    );
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    assert.equal(await page.evaluate(() => Notification.permission), "granted");
    const visibility = () =>
      frames.map((frame) => JSON.parse(frame)).filter((frame) => frame.type === "visibility")
        .map((frame) => frame.visible);
    assert.deepEqual(visibility(), [true], "said once connected");

    await setHidden(page, true);
    const post = (channel: string, content: string) =>
      owner.http.json("POST", `/api/channels/${channel}/messages`, { json: { content } });
    await post(channelId, "just chatting");
    await post(channelId, "look here @member");
    await page.waitForFunction(() =>
      (globalThis as unknown as { __shown: unknown[] }).__shown.length === 1
    );
    assert.deepEqual(await shown(page), [
      { title: "owner in #general (Room)", body: "look here @member" },
    ]);
    assert.deepEqual(visibility(), [true, false]);

    const dm = await owner.http.json<{ channel: { id: string } }>("POST", "/api/dms", {
      json: { userIds: [member.id] },
    });
    await post(dm.body.channel.id, "psst, a secret");
    await page.waitForFunction(() =>
      (globalThis as unknown as { __shown: unknown[] }).__shown.length === 2
    );
    assert.deepEqual((await shown(page) as unknown[])[1], {
      title: "owner",
      body: "psst, a secret",
    });
    // One unread mention and one unread DM message: the favicon says 2.
    await page.waitForSelector("html[data-badge='2']", { state: "attached" });
    await page.waitForFunction(() =>
      document.querySelector<HTMLLinkElement>('link[rel="icon"]')!.href.startsWith(
        "data:image/png",
      )
    );

    // Muted here: a server set to "none" silences its mentions.
    const muted = await member.http.request("PUT", `/api/me/notifications/${serverId}`, {
      json: { level: "none" },
    });
    assert.equal(muted.status, 204);
    await page.reload();
    await socketReady(page);
    await setHidden(page, true);
    await post(channelId, "again @member");
    await post(dm.body.channel.id, "and in the DM");
    await page.waitForFunction(() =>
      (globalThis as unknown as { __shown: { body: string }[] }).__shown.length === 1
    );
    assert.deepEqual(
      (await shown(page) as { body: string }[]).map((item) => item.body),
      ["and in the DM"],
    );
    await setHidden(page, false);
    assert.equal(visibility().at(-1), true);
    assert.deepEqual(problems, []);
  },
);

browserTest(
  "notifications - the service worker shows a Web Push payload",
  async ({ app, pageAs }) => {
    const { serverId, channelId, member } = await room(app);
    const page = await pageAs(member, { permissions: ["notifications"] });
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    await page.evaluate(async () => await navigator.serviceWorker.ready);
    const cdp = await page.context().newCDPSession(page);
    const registrations = new Promise<string>((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const found = registrations.find((item: { scopeURL: string }) =>
          item.scopeURL === `${app.url}/`
        );
        if (found) resolve(found.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    const registrationId = await registrations;
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: app.url,
      registrationId,
      data: JSON.stringify({
        title: "owner",
        body: "a push while away",
        url: `/chat/${serverId}/${channelId}?m=1`,
        channelId,
        messageId: "m1",
      }),
    });
    await page.waitForFunction(async () => {
      const registration = await navigator.serviceWorker.ready;
      const list = await registration.getNotifications();
      return list.some((item) => item.title === "owner" && item.body === "a push while away");
    });
  },
);

browserTest(
  "notifications - Settings' Enable notifications asks on a click, never on load",
  async ({ app, pageAs }) => {
    const { member } = await room(app);
    const page = await pageAs(member, { permissions: ["notifications"] });
    await page.addInitScript(() => {
      const asked: string[] = [];
      (globalThis as unknown as { __asked: string[] }).__asked = asked;
      const real = Notification.requestPermission.bind(Notification);
      Notification.requestPermission = () => {
        asked.push("asked");
        return real();
      };
    });
    await page.goto(`${app.url}/settings`);
    await page.waitForSelector("html[data-islands-ready]", { state: "attached" });
    const asked = () =>
      page.evaluate(() => (globalThis as unknown as { __asked: string[] }).__asked);
    assert.deepEqual(await asked(), []);
    await page.getByRole("button", { name: "Enable notifications" }).click();
    await page.getByText(/Notifications are on/).waitFor();
    assert.deepEqual(await asked(), ["asked"]);
  },
);

browserTest(
  "notifications - the server's and the channel's bells set levels and mutes",
  async ({ app, pageAs }) => {
    const { serverId, channelId, member } = await room(app);
    const page = await pageAs(member);
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const settings = async () =>
      (await member.http.json<
        { settings: { targetId: string; level: string; muteUntil: string | null }[] }
      >("GET", "/api/me/notifications")).body.settings;

    await page.getByRole("button", { name: "Notification settings for Room" }).click();
    const serverDialog = page.getByRole("dialog", { name: "Notifications for Room" });
    await serverDialog.getByRole("radio", { name: "All messages" }).check();
    await serverDialog.getByRole("button", { name: "Save" }).click();
    await serverDialog.getByText("Saved.").waitFor();
    await serverDialog.getByRole("button", { name: "Close" }).click();
    assert.deepEqual(
      (await settings()).find((item) => item.targetId === serverId)?.level,
      "all",
    );

    await page.getByRole("button", { name: "Notification settings for #general" }).click();
    const channelDialog = page.getByRole("dialog", { name: "Notifications for #general" });
    await channelDialog.getByRole("radio", { name: "Nothing" }).check();
    await channelDialog.getByRole("combobox", { name: "Mute" }).selectOption({
      label: "For 1 hour",
    });
    await channelDialog.getByRole("button", { name: "Save" }).click();
    await channelDialog.getByText("Saved.").waitFor();
    await channelDialog.getByText(/^Muted until /).waitFor();
    const channel = (await settings()).find((item) => item.targetId === channelId)!;
    assert.equal(channel.level, "none");
    const left = Date.parse(channel.muteUntil!) - Date.now();
    assert.ok(left > 50 * 60_000 && left <= 60 * 60_000, `${left} ms of mute`);

    // Opened again, it shows what is set.
    await channelDialog.getByRole("button", { name: "Close" }).click();
    await page.getByRole("button", { name: "Notification settings for #general" }).click();
    await channelDialog.getByRole("radio", { name: "Nothing" }).and(
      page.locator(":checked"),
    ).waitFor();
    assert.deepEqual(problems, []);
  },
);
