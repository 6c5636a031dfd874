/**
 * Conversations in a real browser (API.md's screen names): Reply with `Replying to` / `Cancel
 * reply` and a preview `Jump to <excerpt>` that loads the history around an original far
 * back and highlights it; reactions as toggles (`aria-pressed`, emoji and count in the name)
 * live between two pages; the `Emoji picker` by keyboard, its code and data loaded only when
 * it opens (the chat page's scripts stay ≤ 40 KB gzip before); the `Pinned messages` panel,
 * live; `Copy link` and the `?m=` page it copies; profile cards and `user_updated`; spoilers;
 * a page that was away converges (`resume` with `since`), even on messages the latest page
 * does not hold.
 */
import assert from "node:assert/strict";
import type { Page, WebSocketRoute } from "playwright-core";
import { KV_BACKEND, POSTGRES_BACKEND } from "./helpers/backends.ts";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";
import { browserTest } from "./helpers/browser_session.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";

const NO_LIMITS = { RATE_LIMITS: "off" };
/** The chat page's JavaScript budget before the picker opens (issue #6, issue 15). */
const JS_BUDGET_GZIP_BYTES = 40 * 1024;

async function post(who: Person, channelId: string, content: string, replyTo?: string) {
  const { status, body } = await who.http.json<{ message: { id: string; seq: number } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content, replyTo } },
  );
  assert.equal(status, 201);
  return body.message;
}

/** The message row whose text holds `text`. */
const row = (page: Page, text: string) =>
  page.locator("[data-message-id]").filter({ has: page.locator("[data-seq]", { hasText: text }) });

/** Opens a message's actions (hover) and presses one. */
async function act(page: Page, text: string, action: string) {
  const target = row(page, text);
  // A toolbar still shown by focus (the last action's) would cover the row above it.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await target.hover({ position: { x: 8, y: 8 } });
  await target.getByRole("button", { name: action, exact: true }).click();
}

/** True once the element is within the list's visible area. */
function inView(page: Page, selector: string) {
  return page.waitForFunction((selector) => {
    const node = document.querySelector(selector);
    const list = document.querySelector("[data-testid=message-list]");
    if (!node || !list) return false;
    const a = node.getBoundingClientRect();
    const b = list.getBoundingClientRect();
    return a.top >= b.top && a.bottom <= b.bottom;
  }, selector);
}

for (const backend of [KV_BACKEND, POSTGRES_BACKEND]) {
  browserTest(
    `conversation - reply: Replying to, Cancel reply, Jump to loads the original far back (${backend.name})`,
    { backend, env: NO_LIMITS },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      const original = await post(owner, channelId, "the very first question");
      for (let i = 1; i <= 130; i++) await post(owner, channelId, `filler ${i}`);
      await post(owner, channelId, "answering it late", original.id);
      const page = await pageAs(member);
      const problems = watchProblems(page);
      await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await socketReady(page);

      // The original is 130 messages back: the jump loads the history around it.
      assert.equal(await row(page, "the very first question").count(), 0);
      await page.getByRole("button", { name: "Jump to the very first question" }).click();
      const lit = page.locator(`[data-message-id="${original.id}"][data-highlighted]`);
      await lit.waitFor();
      await inView(page, `[data-message-id="${original.id}"]`);
      // The loaded history has no gap: every filler between is there.
      assert.equal(await page.locator("[data-seq]", { hasText: /^filler \d+$/ }).count() > 0, true);

      // Reply from the message's actions; Cancel reply drops it, Reply again keeps it.
      await act(page, "filler 130", "Reply");
      await page.getByText("Replying to owner").waitFor();
      await page.getByRole("button", { name: "Cancel reply" }).click();
      await page.getByText("Replying to owner").waitFor({ state: "detached" });
      await act(page, "filler 130", "Reply");
      await page.getByText("Replying to owner").waitFor();
      const composer = page.getByRole("textbox", { name: "Message #general" });
      await composer.fill("late but here");
      await composer.press("Enter");
      const reply = row(page, "late but here");
      await reply.getByRole("button", { name: "Jump to filler 130" }).waitFor();
      assert.equal(await page.getByText("Replying to owner").count(), 0);

      // The original deleted: its replies say so, live and after a reload.
      const deleted = await owner.http.request("DELETE", `/api/messages/${original.id}`);
      assert.equal(deleted.status, 204);
      await page.reload();
      await socketReady(page);
      await row(page, "answering it late").getByText("Original message deleted").waitFor();
      assert.deepEqual(problems, []);
    },
  );

  browserTest(
    `conversation - reactions live between two pages; the picker by keyboard, loaded on open (${backend.name})`,
    { backend, env: NO_LIMITS },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      await post(owner, channelId, "react to me");
      const url = `${app.url}/chat/${serverId}/${channelId}`;
      const mine = await pageAs(member);
      const theirs = await pageAs(owner);
      const problems = watchProblems(mine);
      const fetched: string[] = [];
      mine.on("request", (request) => fetched.push(request.url()));
      await mine.goto(url);
      await theirs.goto(url);
      await socketReady(mine);
      await socketReady(theirs);

      // Before the picker opens: neither its code nor its data, and the scripts in budget.
      const scripts = await mine.evaluate(() =>
        (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
          .filter((entry) => /\.js(\?|$)/.test(entry.name))
          .reduce((sum, entry) => sum + entry.encodedBodySize, 0)
      );
      assert.ok(scripts > 0 && scripts <= JS_BUDGET_GZIP_BYTES, `${scripts} bytes of scripts`);
      assert.equal(fetched.filter((u) => /emoji-data|EmojiPicker/.test(u)).length, 0);

      await act(mine, "react to me", "Add reaction");
      const picker = mine.getByRole("dialog", { name: "Emoji picker" });
      await picker.waitFor();
      const search = picker.getByRole("searchbox", { name: "Search emoji" });
      await search.fill("thumbs up");
      await picker.getByRole("option", { name: "thumbs up" }).waitFor();
      // ← → move through the grid; Enter picks the active one.
      await search.press("ArrowRight");
      await search.press("ArrowLeft");
      assert.equal(
        await picker.locator("[aria-selected=true]").getAttribute("aria-label"),
        "thumbs up",
      );
      await search.press("Enter");
      await picker.waitFor({ state: "detached" });
      assert.ok(fetched.some((u) => u.endsWith("/emoji-data.json")), "data fetched on open");

      const button = (page: Page, name: string) =>
        row(page, "react to me").getByRole("button", { name, exact: true });
      await button(mine, "👍 1").waitFor();
      assert.equal(await button(mine, "👍 1").getAttribute("aria-pressed"), "true");
      await button(theirs, "👍 1").waitFor();
      assert.equal(await button(theirs, "👍 1").getAttribute("aria-pressed"), "false");

      // The other page joins in (with U+FE0F: the same reaction), then both leave it.
      await button(theirs, "👍 1").click();
      await button(mine, "👍 2").waitFor();
      await button(theirs, "👍 2").waitFor();
      assert.equal(await button(theirs, "👍 2").getAttribute("aria-pressed"), "true");
      assert.equal(await button(mine, "👍 2").getAttribute("aria-pressed"), "true");
      await button(mine, "👍 2").click();
      await button(theirs, "👍 1").waitFor();
      assert.equal(await button(mine, "👍 1").getAttribute("aria-pressed"), "false");
      const again = await owner.http.request(
        "PUT",
        `/api/messages/${(await row(mine, "react to me").getAttribute(
          "data-message-id",
        ))}/reactions/${encodeURIComponent("❤️")}`,
      );
      assert.equal(again.status, 204);
      await button(mine, "❤ 1").waitFor();

      // Escape closes the picker, and focus goes back to Add reaction.
      await act(mine, "react to me", "Add reaction");
      await mine.getByRole("searchbox", { name: "Search emoji" }).press("Escape");
      await mine.getByRole("dialog", { name: "Emoji picker" }).waitFor({ state: "detached" });
      assert.equal(
        await mine.evaluate(() => document.activeElement?.textContent),
        "Add reaction",
      );

      // :shortcode: completion in the composer.
      const composer = mine.getByRole("textbox", { name: "Message #general" });
      await composer.pressSequentially("yes :thumbsu");
      await mine.getByRole("option", { name: /:thumbsup:/ }).waitFor();
      await composer.press("Enter");
      assert.equal(await composer.inputValue(), "yes 👍 ");
      // @ completion of members.
      await composer.pressSequentially("@own");
      await mine.getByRole("option", { name: /@owner/ }).waitFor();
      await composer.press("Tab");
      assert.equal(await composer.inputValue(), "yes 👍 @owner ");
      assert.deepEqual(problems, []);
    },
  );
}

for (const backend of [KV_BACKEND, POSTGRES_BACKEND]) {
  browserTest(
    `conversation - after a dropped link, reactions, edits and deletions far back converge (${backend.name})`,
    { backend, env: NO_LIMITS },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      const first = await post(owner, channelId, "far back one");
      const second = await post(owner, channelId, "far back two");
      const third = await post(owner, channelId, "far back three");
      for (let i = 1; i <= 70; i++) await post(owner, channelId, `later ${i}`);
      const page = await pageAs(member);
      let online = true;
      const links = new Set<WebSocketRoute>();
      await page.routeWebSocket(/\/ws$/, (ws) => {
        if (!online) return ws.close({ code: 1006, reason: "offline" });
        links.add(ws);
        ws.connectToServer();
      });
      const problems = watchProblems(page);
      // Opened on the first message: the latest page (what a reconcile reads) does not hold it.
      await page.goto(`${app.url}/chat/${serverId}/${channelId}?m=${first.seq}`);
      await socketReady(page);
      await row(page, "far back one").waitFor();

      online = false;
      for (const link of links) await link.close({ code: 1006, reason: "gone" });
      await page.getByRole("status").getByText("Reconnecting…").waitFor();
      const react = await owner.http.request(
        "PUT",
        `/api/messages/${first.id}/reactions/${encodeURIComponent("🎉")}`,
      );
      assert.equal(react.status, 204);
      await owner.http.json("PATCH", `/api/messages/${second.id}`, { json: { content: "fixed" } });
      await owner.http.request("DELETE", `/api/messages/${third.id}`);
      await owner.http.request("PUT", `/api/channels/${channelId}/pins/${first.id}`);
      online = true;

      await row(page, "far back one").getByRole("button", { name: "🎉 1" }).waitFor();
      await page.locator(`[data-message-id="${first.id}"][data-pinned]`).waitFor();
      await page.locator(`[data-message-id="${second.id}"] [data-seq]`, { hasText: "fixed" })
        .waitFor();
      await page.locator(`[data-message-id="${third.id}"]`).waitFor({ state: "detached" });
      assert.deepEqual(problems, []);
    },
  );
}

browserTest(
  "conversation - Pin, the Pinned messages panel (live), Copy link and the ?m= page it copies",
  { backend: POSTGRES_BACKEND, env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const first = await post(owner, channelId, "pin me please");
    for (let i = 1; i <= 80; i++) await post(owner, channelId, `chatter ${i}`);
    const url = `${app.url}/chat/${serverId}/${channelId}`;
    const mod = await pageAs(owner);
    const reader = await pageAs(member);
    await mod.context().grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: app.url,
    });
    const problems = watchProblems(mod);
    await mod.goto(url);
    await reader.goto(url);
    await socketReady(mod);
    await socketReady(reader);
    // A plain member has no Pin; the moderator (the owner) has.
    const readerRow = row(reader, "chatter 80");
    await readerRow.hover();
    assert.equal(await readerRow.getByRole("button", { name: "Pin" }).count(), 0);

    // The reader's panel is open while the moderator pins: it follows.
    await reader.getByRole("button", { name: "Pinned messages" }).click();
    const panel = reader.getByRole("dialog", { name: "Pinned messages" });
    await panel.getByText("No pinned messages in this channel yet.").waitFor();
    await act(mod, "chatter 80", "Pin");
    await panel.getByText("chatter 80").waitFor();
    await panel.getByText("Pinned by owner").waitFor();
    await act(mod, "chatter 80", "Unpin");
    await panel.getByText("No pinned messages in this channel yet.").waitFor();
    await act(mod, "chatter 79", "Pin");
    await panel.getByText("chatter 79").waitFor();
    await reader.keyboard.press("Escape");

    // Copy link: says it did, and the link opens the page around the message, lit.
    await act(mod, "chatter 80", "Copy link");
    await mod.getByRole("status").filter({ hasText: "Link copied" }).waitFor();
    const copied = await mod.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `${app.url}/chat/${serverId}/${channelId}?m=81`);

    await mod.goto(`${url}?m=${first.seq}`);
    await socketReady(mod);
    await mod.locator(`[data-message-id="${first.id}"][data-highlighted]`).waitFor();
    await inView(mod, `[data-message-id="${first.id}"]`);
    assert.deepEqual(problems, []);
  },
);

browserTest(
  "conversation - a name opens the profile card; profile changes and spoilers show live",
  { backend: KV_BACKEND, env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    await owner.http.json("PATCH", "/api/me", { json: { bio: "I run this place" } });
    await post(owner, channelId, "the ending: ||everyone lives||");
    const uploaded = await owner.http.json<{ emoji: { url: string } }>(
      "POST",
      `/api/servers/${serverId}/emojis?name=party`,
      { body: PNG_1X1, headers: { "Content-Type": "image/png" } },
    );
    assert.equal(uploaded.status, 201);
    const party = await post(owner, channelId, "custom :party: time");
    const reacted = await owner.http.request(
      "PUT",
      `/api/messages/${party.id}/reactions/${encodeURIComponent(":party:")}`,
    );
    assert.equal(reacted.status, 204);
    const page = await pageAs(member);
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);

    // The server's custom emoji show as images, in the text and in reactions.
    const custom = row(page, "custom");
    await custom.locator(`[data-seq] img[alt=":party:"]`).waitFor();
    await custom.getByRole("button", { name: ":party: 1" }).locator("img").waitFor();

    const spoiler = page.getByRole("button", { name: "Spoiler" });
    assert.equal(await spoiler.getAttribute("aria-pressed"), "false");
    await spoiler.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "everyone lives", pressed: true }).waitFor();

    await page.locator("[data-author]").first().click();
    const card = page.getByRole("dialog", { name: "owner" });
    await card.getByText("@owner", { exact: true }).waitFor();
    await card.getByText("I run this place").waitFor();
    await card.getByRole("button", { name: "Message" }).waitFor();
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });

    const renamed = await owner.http.json("PATCH", "/api/me", {
      json: { displayName: "The Host" },
    });
    assert.equal(renamed.status, 200);
    await page.locator("[data-author]", { hasText: "The Host" }).first().waitFor();
    assert.deepEqual(problems, []);
  },
);
