/**
 * Search in a real browser (issue 18, API.md's screen names): the channel header's `Search`
 * box searches as one types, results grouped by channel with the words in <mark>; ↓ and Enter
 * open a result of this channel in place (the list jumps to it, far back, and highlights it), a result of another channel
 * opens that channel there; `from:` offers the members; a bad filter shows the server's
 * refusal; Esc closes and leaves focus in the box; on a phone the panel covers the column.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { screenshot, socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";

const NO_LIMITS = { RATE_LIMITS: "off" };

async function post(who: Person, channelId: string, content: string) {
  const { status, body } = await who.http.json<{ message: { id: string; seq: number } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content } },
  );
  assert.equal(status, 201);
  return body.message;
}

/** Waits until a search finds `count` messages (API.md: searchable within 2 s). */
async function searchable(who: Person, serverId: string, q: string, count: number) {
  const params = new URLSearchParams({ q, serverId });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { status, body } = await who.http.json<{ results: unknown[] }>(
      "GET",
      `/api/search?${params}`,
    );
    assert.equal(status, 200);
    if (body.results.length === count) return;
    if (Date.now() > deadline) {
      throw new Error(`"${q}" found ${body.results.length} messages, not ${count}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True once the element is within the message list's visible area. */
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

browserTest(
  "search - results by channel with marks, keyboard opens one lit, from: offers members",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const created = await owner.http.json<{ channel: { id: string } }>(
      "POST",
      `/api/servers/${serverId}/channels`,
      { json: { name: "random" } },
    );
    assert.equal(created.status, 201);
    const randomId = created.body.channel.id;
    const elsewhere = await post(owner, randomId, "a fox far from home");
    const target = await post(owner, channelId, "the quick brown **Fox** jumps");
    await post(member, channelId, "my fox is shy");
    // Further back than the page the channel opens with.
    for (let i = 1; i <= 60; i++) await post(owner, channelId, `filler ${i}`);
    await searchable(owner, serverId, "fox", 3);

    const page = await pageAs(member, { viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const box = page.getByRole("searchbox", { name: "Search", exact: true });

    // Focused and empty, it lists the filters; typing searches.
    await box.click();
    const filters = page.getByRole("listbox", { name: "Search filters" });
    await filters.getByRole("option", { name: "from:", exact: true }).waitFor();
    await box.pressSequentially("fox");
    const results = page.getByRole("listbox", { name: "Search results" });
    const general = results.getByRole("group", { name: "#general" });
    const random = results.getByRole("group", { name: "#random" });
    await general.getByRole("option").nth(1).waitFor();
    assert.equal(await general.getByRole("option").count(), 2);
    assert.equal(await random.getByRole("option").count(), 1);
    // Newest first: this channel's group (its newest result is the newest) comes first.
    const groupNames = await results.getByRole("group").evaluateAll((groups) =>
      groups.map((group) =>
        document.getElementById(group.getAttribute("aria-labelledby")!)?.textContent
      )
    );
    assert.deepEqual(groupNames, ["#general", "#random"]);
    const lit = general.getByRole("option").nth(1);
    assert.equal(await lit.locator("mark").textContent(), "Fox");
    assert.equal(await lit.locator("strong mark").count(), 1, "the markdown is rendered");
    assert.match(await lit.textContent() ?? "", /owner/);
    await page.getByRole("status").filter({ hasText: "3 results" }).waitFor();

    // ↓ ↓ names the second result as active (focus stays in the box); Enter opens it.
    await box.press("ArrowDown");
    await box.press("ArrowDown");
    assert.equal(await lit.getAttribute("aria-selected"), "true");
    assert.equal(await box.getAttribute("aria-activedescendant"), await lit.getAttribute("id"));
    // A mark on the page: it survives only if the result opens in place, without a reload.
    await page.evaluate(() => document.documentElement.dataset.stayed = "");
    await box.press("Enter");
    await results.waitFor({ state: "detached" });
    await page.locator(`[data-message-id="${target.id}"][data-highlighted]`).waitFor();
    await inView(page, `[data-message-id="${target.id}"]`);
    assert.equal(
      await page.evaluate(() => document.documentElement.dataset.stayed),
      "",
      "opened in place (the list jumped; the page did not load again)",
    );
    assert.equal(new URL(page.url()).search, "", "no ?m= navigation");

    // from: offers the members; Enter takes the first, and the search narrows.
    await box.click();
    await box.fill("");
    await box.pressSequentially("fox from:ow");
    const offer = page.getByRole("listbox", { name: "Search filters" })
      .getByRole("option", { name: /@owner/ });
    await offer.waitFor();
    assert.equal(await offer.getAttribute("aria-selected"), "true");
    await box.press("Enter");
    assert.equal(await box.inputValue(), "fox from:owner ");
    await page.getByRole("status").filter({ hasText: "2 results" }).waitFor();
    assert.equal(await results.getByRole("option", { name: /my fox is shy/ }).count(), 0);

    // Esc closes and leaves focus in the box.
    await box.press("Escape");
    await results.waitFor({ state: "detached" });
    assert.equal(await box.evaluate((el) => el === document.activeElement), true);
    assert.equal(await box.inputValue(), "fox from:owner ", "Esc does not clear the box");

    // A bad filter: the server's refusal, shown.
    await box.fill("");
    await box.pressSequentially("fox before:notadate");
    const refusal = page.getByRole("alert").filter({ hasText: /before/i });
    await refusal.waitFor();

    // A result in another channel opens that channel there, lit.
    await box.fill("");
    await box.pressSequentially("fox");
    await random.getByRole("option").click();
    await page.waitForURL(`**/chat/${serverId}/${randomId}?m=${elsewhere.seq}`);
    await page.locator(`[data-message-id="${elsewhere.id}"][data-highlighted]`).waitFor();
    // The refusal of the bad filter was intended.
    const refused = /^400 GET .*\/api\/search\?q=fox\+before%3Anotadate&/;
    assert.deepEqual(problems.filter((problem) => !refused.test(problem)), []);
  },
);

browserTest(
  "search - on a phone the results cover the column",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    await post(owner, channelId, "phones can search too");
    await searchable(owner, serverId, "phones", 1);
    const page = await pageAs(member, { viewport: { width: 390, height: 844 }, hasTouch: true });
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const box = page.getByRole("searchbox", { name: "Search", exact: true });
    await box.tap();
    await box.pressSequentially("phones");
    const option = page.getByRole("option", { name: /phones can search too/ });
    await option.waitFor();
    const panel = await page.locator("[data-search-panel]").boundingBox();
    assert.ok(panel, "the panel shows");
    assert.equal(Math.round(panel.width), 390, "the panel spans the screen");
    assert.ok(panel.y + panel.height >= 843, "down to the bottom");
    await screenshot(page, "search-phone");
    await option.tap();
    await page.locator("[data-highlighted]").waitFor();
    assert.deepEqual(problems, []);
  },
);
