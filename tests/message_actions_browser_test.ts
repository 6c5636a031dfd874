/**
 * A message's actions and text in a real browser: on a phone the hidden actions take no room
 * and a tap shows them (so a phone can edit and delete), "(edited)" follows the text on its
 * line, and only members of the server are highlighted as mentions.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { KV_BACKEND, POSTGRES_BACKEND } from "./helpers/backends.ts";
import { screenshot, socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

async function post(who: Person, channelId: string, content: string): Promise<string> {
  const { status, body } = await who.http.json<{ message: { id: string } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content } },
  );
  assert.equal(status, 201);
  return body.message.id;
}

/** The message row (text and actions) whose text holds `text`. */
const row = (page: Page, text: string) =>
  page.locator("[data-message-id]").filter({ has: page.locator("[data-seq]", { hasText: text }) });

/** Resolves once the row's action toolbar is fully shown (or fully hidden). */
function actionsShown(actions: Locator, shown: boolean) {
  return actions.evaluate(
    (element, shown) =>
      new Promise<void>((resolve) => {
        const check = () =>
          (getComputedStyle(element).opacity === "1") === shown
            ? resolve()
            : requestAnimationFrame(check);
        check();
      }),
    shown,
  );
}

browserTest("message actions - on a phone: no room taken, a tap shows them, edit and delete work", {
  backend: KV_BACKEND,
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  const text = "the same words in a line long enough to wrap on a phone screen, twice over";
  await post(owner, channelId, text);
  const mineId = await post(member, channelId, `${text}.`);
  const page = await pageAs(member, PHONE);
  const problems = watchProblems(page);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await socketReady(page);

  const mine = page.locator(`[data-message-id="${mineId}"]`);
  const theirs = row(page, text).first();
  const width = async (locator: Locator) =>
    (await locator.locator("[data-seq]").boundingBox())!.width;
  assert.equal(await width(mine), await width(theirs), "one's own message is as wide");

  const actions = mine.locator("[data-message-actions]");
  await actionsShown(actions, false);
  await mine.locator("[data-seq]").tap();
  await actionsShown(actions, true);
  await screenshot(page, "message-actions-phone");
  await theirs.locator("[data-seq]").tap(); // a tap elsewhere
  await actionsShown(actions, false);

  await mine.locator("[data-seq]").tap();
  await actionsShown(actions, true);
  await mine.getByRole("button", { name: "Edit" }).tap();
  const composer = page.locator("#composer");
  await page.waitForFunction(
    (text) => document.querySelector<HTMLTextAreaElement>("#composer")?.value === text,
    `${text}.`,
  );
  await composer.fill("edited on a phone");
  await composer.press("Enter");
  await page.locator("[data-seq]", { hasText: "edited on a phone(edited)" }).waitFor();

  await mine.locator("[data-seq]").tap();
  await actionsShown(actions, true);
  await mine.getByRole("button", { name: "Delete" }).tap();
  await mine.getByRole("button", { name: "Confirm delete" }).tap();
  await page.locator("[data-seq]", { hasText: "edited on a phone" }).waitFor({ state: "detached" });
  assert.deepEqual(problems, []);
});

browserTest("message actions - with a mouse: full width, shown on hover and on keyboard focus", {
  backend: POSTGRES_BACKEND,
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member } = await room(app);
  await post(owner, channelId, "from the owner");
  await post(member, channelId, "from the member");
  const page = await pageAs(member);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await socketReady(page);
  const mine = row(page, "from the member");
  const theirs = row(page, "from the owner");
  const width = async (locator: Locator) =>
    (await locator.locator("[data-seq]").boundingBox())!.width;
  assert.equal(await width(mine), await width(theirs));
  // A mouse shows them on hover, a keyboard on focus.
  const actions = mine.locator("[data-message-actions]");
  await actionsShown(actions, false);
  await mine.hover();
  await actionsShown(actions, true);
  await page.mouse.move(0, 0);
  await actionsShown(actions, false);
  await mine.getByRole("button", { name: "Edit" }).focus();
  await actionsShown(actions, true);
});

browserTest("(edited) - follows the text on its last line when it fits", {
  backend: KV_BACKEND,
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, member } = await room(app);
  await post(member, channelId, "line one\nline two");
  const id = await post(member, channelId, "line one\nline too");
  const edit = await member.http.request("PATCH", `/api/messages/${id}`, {
    json: { content: "line one\nline two" },
  });
  assert.equal(edit.status, 200);
  await edit.body?.cancel();
  const page = await pageAs(member);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await socketReady(page);
  const [plain, edited] = await page.locator("[data-seq]").all();
  await edited.locator("[data-edited]").waitFor();
  const height = async (locator: Locator) => (await locator.boundingBox())!.height;
  assert.equal(await height(edited), await height(plain), "no line of its own");
  const marker = (await edited.locator("[data-edited]").boundingBox())!;
  const text = (await edited.boundingBox())!;
  assert.ok(marker.y > text.y + text.height / 2, "on the last line, not the first");
});

browserTest("mentions - only members of the server are highlighted, live as they join", {
  backend: POSTGRES_BACKEND,
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, owner, member, outsider } = await room(app);
  await post(owner, channelId, "hi @member, @nobody and @outsider <b>bold?</b>");
  const page = await pageAs(member);
  const problems = watchProblems(page);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await socketReady(page);
  const mentioned = () => page.locator("[data-mention]").allTextContents();
  assert.deepEqual(await mentioned(), ["@member"]);
  assert.equal(await page.locator("[role=log] b").count(), 0, "text stays text");

  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  const joined = await outsider.http.request("POST", `/api/invites/${invite.body.code}/join`);
  assert.equal(joined.status, 200);
  await joined.body?.cancel();
  await page.locator("[data-mention=outsider]").waitFor();
  assert.deepEqual(await mentioned(), ["@member", "@outsider"]);
  assert.deepEqual(problems, []);
});
