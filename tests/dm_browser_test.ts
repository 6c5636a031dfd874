/**
 * Direct messages in the browser (API.md "Direct messages", "The screen's names"): `Message`
 * on a profile card opens the DM and goes there, its composer is `Message @<name>`, messages
 * arrive live, the rail's `Direct messages` counts what is unread, the DM list is newest first
 * and closes a conversation, the quick switcher finds people, `Block` on the card refuses
 * their messages, and Settings sets who may message the reader.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

const NO_LIMITS = { RATE_LIMITS: "off" };

async function openCard(page: Page, name: string) {
  await page.getByRole("list", { name: "Members" }).getByRole("button", {
    name: new RegExp(`^${name}`),
  }).click();
  const card = page.getByRole("dialog", { name });
  await card.waitFor();
  return card;
}

browserTest(
  "dm - Message on a profile card opens the DM; live messages, the rail's count, the list",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const ownerPage = await pageAs(owner);
    const memberPage = await pageAs(member);
    const problems = [ownerPage, memberPage].map(watchProblems);
    for (const page of [ownerPage, memberPage]) {
      await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await socketReady(page);
    }
    const rail = (page: Page) =>
      page.getByRole("navigation", { name: "Servers" }).getByRole("link", {
        name: /^Direct messages/,
      });
    assert.equal(await rail(ownerPage).getAttribute("data-unread"), null);

    const card = await openCard(memberPage, "owner");
    await card.getByRole("button", { name: "Message", exact: true }).click();
    await memberPage.waitForURL(/\/chat\/dm\/[^/?]+$/);
    const dmId = new URL(memberPage.url()).pathname.split("/").at(-1)!;
    await socketReady(memberPage);
    const composer = memberPage.getByRole("textbox", { name: "Message @owner" });
    await composer.fill("hello owner");
    await composer.press("Enter");
    await memberPage.getByRole("log").getByText("hello owner").waitFor();

    // The owner, on a server channel: the rail counts the DM's unread message.
    await rail(ownerPage).and(ownerPage.locator("[data-unread='1']")).waitFor();
    assert.match(await rail(ownerPage).innerText(), /Direct messages, 1 unread/);
    await rail(ownerPage).click();
    await ownerPage.waitForURL(`${app.url}/chat/dm`);
    await socketReady(ownerPage);
    const list = ownerPage.getByRole("navigation", { name: "Direct messages" });
    await list.getByRole("link", { name: /member/ }).click();
    await ownerPage.waitForURL(`${app.url}/chat/dm/${dmId}`);
    await socketReady(ownerPage);
    await ownerPage.getByRole("log").getByText("hello owner").waitFor();
    // Read here: the rail no longer counts it.
    await ownerPage.locator('nav[aria-label="Servers"] a[href="/chat/dm"]:not([data-unread])')
      .waitFor();
    const reply = ownerPage.getByRole("textbox", { name: "Message @member" });
    await reply.fill("hi member");
    await reply.press("Enter");
    await memberPage.getByRole("log").getByText("hi member").waitFor();

    // A message link to a DM opens there.
    await ownerPage.goto(`${app.url}/chat/dm/${dmId}?m=1`);
    await socketReady(ownerPage);
    await ownerPage.getByRole("log").getByText("hello owner").waitFor();

    // Closing it takes it off the owner's list.
    await ownerPage.goto(`${app.url}/chat/dm`);
    await socketReady(ownerPage);
    await list.getByRole("button", { name: "Close conversation with member" }).click();
    await list.getByRole("link", { name: /member/ }).waitFor({ state: "detached" });
    const listed = await owner.http.json<{ channels: { id: string }[] }>("GET", "/api/dms");
    assert.deepEqual(listed.body.channels.map((channel) => channel.id), []);
    assert.deepEqual(problems, [[], []]);
  },
);

browserTest(
  "dm - the quick switcher finds people and opens the DM with them",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner } = await room(app);
    const page = await pageAs(owner);
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    await page.keyboard.press("Control+K");
    const finder = page.getByRole("dialog", { name: "Find a channel" });
    await finder.getByRole("combobox").fill("memb");
    await finder.getByRole("option", { name: /member/ }).waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/chat\/dm\/[^/?]+$/);
    await page.getByRole("textbox", { name: "Message @member" }).waitFor();
    assert.deepEqual(problems, []);
  },
);

browserTest(
  "dm - Block on the card refuses their messages; Unblock; Settings sets who may message",
  { env: NO_LIMITS },
  async ({ app, pageAs }) => {
    const { serverId, channelId, owner, member, outsider } = await room(app);
    const opened = await member.http.json<{ channel: { id: string } }>("POST", "/api/dms", {
      json: { userIds: [owner.id] },
    });
    assert.equal(opened.status, 201);
    const page = await pageAs(owner);
    const problems = watchProblems(page);
    await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
    await socketReady(page);
    const card = await openCard(page, "member");
    await card.getByRole("button", { name: "Block", exact: true }).click();
    await card.getByText("member is blocked").waitFor();
    const refused = await member.http.json<{ error: { code: string } }>(
      "POST",
      `/api/channels/${opened.body.channel.id}/messages`,
      { json: { content: "let me in" } },
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "blocked");
    await card.getByRole("button", { name: "Unblock", exact: true }).click();
    await card.getByText("member is unblocked").waitFor();
    const sent = await member.http.json(
      "POST",
      `/api/channels/${opened.body.channel.id}/messages`,
      {
        json: { content: "thanks" },
      },
    );
    assert.equal(sent.status, 201);

    // Settings: nobody may open a DM with the owner any more.
    await page.goto(`${app.url}/settings`);
    const policy = page.getByRole("combobox", { name: "Who can message you" });
    await policy.waitFor();
    await page.waitForSelector("html[data-islands-ready]", { state: "attached" });
    await policy.selectOption("nobody");
    await page.getByText("Saved.").waitFor();
    const me = await owner.http.json<{ user: { dmPolicy: string } }>("GET", "/api/me");
    assert.equal(me.body.user.dmPolicy, "nobody");
    const tried = await outsider.http.json<{ error: { code: string } }>("POST", "/api/dms", {
      json: { userIds: [owner.id] },
    });
    assert.equal(tried.status, 403);
    assert.deepEqual(problems, []);
  },
);
