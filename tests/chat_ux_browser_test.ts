/**
 * The chat screen's everyday behaviour in a real browser: messages grouped by author, the
 * offline queue (a visible "Reconnecting…", messages kept and sent once on reconnect with their
 * nonces, edits and deletions made meanwhile applied), and the page without JavaScript
 * (messages shown, a real form that posts).
 */
import assert from "node:assert/strict";
import type { WebSocketRoute } from "playwright-core";
import { POSTGRES_BACKEND } from "./helpers/backends.ts";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

browserTest("chat ux - grouping by author, and the offline queue across a dropped link", {
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  const url = `${app.url}/chat/${serverId}/${channelId}`;
  const post = (who: typeof owner, content: string) =>
    who.http.json("POST", `/api/channels/${channelId}/messages`, { json: { content } });
  for (const text of ["one", "two", "three"]) await post(owner, text);
  await post(member, "four");

  const page = await pageAs(member);
  const watcher = await pageAs(owner);
  // The member's link to the server goes through a switch the test can open.
  let online = true;
  const links = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (!online) return ws.close({ code: 1006, reason: "offline" });
    links.add(ws);
    ws.connectToServer();
  });
  const problems = watchProblems(page);
  await page.goto(url);
  await watcher.goto(url);
  await socketReady(page);
  await socketReady(watcher);

  // Three from the owner in a row share one header; the member's starts another.
  const headers = page.locator("[role=log] li:has(> img), [role=log] li:has(img)");
  assert.equal(await headers.count(), 2, "two groups");
  assert.deepEqual(
    await headers.locator("[data-seq]").allTextContents(),
    ["one", "two", "three", "four"],
  );

  // A group's time gives the full date on keyboard focus, not only on hover.
  await page.locator("[role=log] time").first().focus();
  const tooltip = page.getByRole("tooltip").first();
  await tooltip.waitFor();
  assert.match(await tooltip.innerText(), /\d{4}/, "the full date, with its year");

  // The link drops: the page says so, keeps what is typed, and sends it once when back.
  online = false;
  for (const link of links) await link.close({ code: 1006, reason: "gone" });
  await page.getByRole("status").getByText("Reconnecting…").waitFor();
  // Meanwhile the owner edits one message and deletes another: the page learns on return.
  const history = async () =>
    (await owner.http.json<{ messages: { id: string; content: string }[] }>(
      "GET",
      `/api/channels/${channelId}/messages`,
    )).body.messages;
  const [one, two] = await history();
  await owner.http.json("PATCH", `/api/messages/${one.id}`, { json: { content: "one, fixed" } });
  await owner.http.request("DELETE", `/api/messages/${two.id}`);
  await page.locator("#composer").fill("typed while offline");
  await page.locator("#composer").press("Enter");
  await page.locator("[data-pending]", { hasText: "typed while offline" }).waitFor();
  online = true;
  await page.getByRole("status").waitFor({ state: "detached", timeout: 15_000 });
  await watcher.locator("[data-seq]", { hasText: "typed while offline" }).waitFor();
  await page.locator("[data-seq]", { hasText: "typed while offline" }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("[data-pending]").length === 0);
  assert.equal(
    (await history()).filter((m) => m.content === "typed while offline").length,
    1,
    "stored once",
  );
  await page.locator("[data-seq]", { hasText: "one, fixed" }).waitFor();
  // Deleted while away: gone, as after a reload.
  await page.locator(`[data-message-id="${two.id}"]`).waitFor({ state: "detached" });
  assert.equal(await page.locator("[data-seq]", { hasText: /^two$/ }).count(), 0);
  assert.deepEqual(
    problems.filter((text) => !/WebSocket/.test(text)),
    [],
  );
});

browserTest("chat ux - without JavaScript: messages shown, a real form posts and comes back", {
  backend: POSTGRES_BACKEND,
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
    json: { content: "hello **plain** web" },
  });
  const page = await pageAs(member, {
    javaScriptEnabled: false,
  });
  const url = `${app.url}/chat/${serverId}/${channelId}`;
  await page.goto(url);
  await page.locator("[data-seq]", { hasText: "hello plain web" }).waitFor();
  assert.equal(await page.locator("strong", { hasText: "plain" }).count(), 1);
  await page.locator("textarea[name=content]").fill("sent by a form");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(url);
  await page.locator("[data-seq]", { hasText: "sent by a form" }).waitFor();
});
