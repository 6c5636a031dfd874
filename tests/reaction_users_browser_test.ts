/**
 * Who reacted, and the cards of authors who are no longer members, in a real browser (API.md
 * "Conversations"): a reaction toggle hovered or focused describes itself (`aria-describedby`,
 * its name still the emoji and count) with the names of the first who reacted and "and N more",
 * its code and the names fetched only when first shown; a departed author's name opens a card
 * from GET /api/users/:id ("Not a member of this server", no roles, no moderation), or a short
 * "No longer here" card when no server is shared any more.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { REACTION_TIP_NAMES } from "../islands/components/ReactionUsers.tsx";
import { KV_BACKEND, POSTGRES_BACKEND } from "./helpers/backends.ts";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import type { Person } from "./helpers/people.ts";
import { register, room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

const NO_LIMITS = { RATE_LIMITS: "off" };

async function post(who: Person, channelId: string, content: string) {
  const { status, body } = await who.http.json<{ message: { id: string } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: { content } },
  );
  assert.equal(status, 201);
  return body.message;
}

async function react(who: Person, messageId: string, emoji: string) {
  const { status } = await who.http.request(
    "PUT",
    `/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`,
  );
  assert.equal(status, 204);
}

/** `who` joins the owner's server by a new invite. */
async function join(owner: Person, serverId: string, who: Person) {
  const invite = await owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${serverId}/invites`,
  );
  const joined = await who.http.json("POST", `/api/invites/${invite.body.code}/join`);
  assert.equal(joined.status, 200);
}

async function leave(who: Person, serverId: string) {
  const left = await who.http.request("DELETE", `/api/servers/${serverId}/members/me`);
  assert.equal(left.status, 204);
}

/** The text of what the element's `aria-describedby` names ("" when it names nothing shown). */
async function description(page: Page, element: Locator): Promise<string> {
  await page.waitForFunction(
    (node) => {
      const id = node?.getAttribute("aria-describedby");
      const tip = id ? document.getElementById(id) : null;
      return tip !== null && !/^Loading/.test(tip.textContent ?? "");
    },
    await element.elementHandle(),
  );
  return await element.evaluate((node) =>
    document.getElementById(node.getAttribute("aria-describedby")!)!.textContent ?? ""
  );
}

/** People named `name1`…: registered, each a member of the server. */
async function crowd(app: TestApp, owner: Person, serverId: string, size: number) {
  const people = await Promise.all(
    Array.from({ length: size }, (_, i) => register(app, `fan${i + 1}`)),
  );
  for (const person of people) await join(owner, serverId, person);
  return people;
}

for (const backend of [KV_BACKEND, POSTGRES_BACKEND]) {
  browserTest(
    `reaction users - hover or focus shows who reacted, fetched lazily, and N more (${backend.name})`,
    { backend, env: NO_LIMITS },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      const message = await post(owner, channelId, "who likes this");
      await react(owner, message.id, "👍");
      await react(member, message.id, "🎉");
      const fans = await crowd(app, owner, serverId, REACTION_TIP_NAMES + 1);
      for (const fan of fans) await react(fan, message.id, "👍");
      const page = await pageAs(member);
      const problems = watchProblems(page);
      const fetched: string[] = [];
      page.on("request", (request) => fetched.push(request.url()));
      await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await socketReady(page);

      const row = page.locator(`[data-message-id="${message.id}"]`);
      const thumbs = row.getByRole("button", { name: `👍 ${fans.length + 1}`, exact: true });
      const party = row.getByRole("button", { name: "🎉 1", exact: true });
      await thumbs.waitFor();
      // Nothing fetched before a toggle is first shown: neither the code nor the names.
      assert.equal(fetched.filter((u) => /ReactionUsers|\/reactions\//.test(u)).length, 0);
      assert.equal(await thumbs.getAttribute("aria-describedby"), null);

      // Hovered: the first page of names in the order they reacted, then "and N more".
      await thumbs.hover();
      const shown = [owner, ...fans].slice(0, REACTION_TIP_NAMES).map((who) => who.username);
      const rest = fans.length + 1 - REACTION_TIP_NAMES;
      assert.equal(
        await description(page, thumbs),
        `Reacted with 👍: ${shown.join(", ")} and ${rest} more`,
      );
      // The toggle keeps its own name (emoji and count) and state.
      assert.equal(await thumbs.getAttribute("aria-pressed"), "false");
      assert.ok(fetched.some((u) => /\/reactions\/.+\?limit=/.test(u)), "names fetched on show");

      // Focused (the keyboard's way): the other toggle's own list, one name, no "more".
      await page.mouse.move(0, 0);
      await party.focus();
      assert.equal(await description(page, party), "Reacted with 🎉: member");
      assert.equal(await thumbs.getAttribute("aria-describedby"), null);
      await party.blur();
      await page.locator("[data-reaction-users]").waitFor({ state: "detached" });

      // A new reaction (count changes): shown again, the list is read again.
      await react(member, message.id, "👍");
      const more = row.getByRole("button", { name: `👍 ${fans.length + 2}`, exact: true });
      await more.waitFor();
      await more.focus();
      assert.equal(
        await description(page, more),
        `Reacted with 👍: ${shown.join(", ")} and ${rest + 1} more`,
      );
      assert.deepEqual(problems, []);
    },
  );

  browserTest(
    `reaction users - a departed author's name opens a card, never a dead click (${backend.name})`,
    { backend, env: NO_LIMITS },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member, outsider } = await room(app);
      // `roamer` still shares another server with the reader; `outsider` shares none.
      const roamer = await register(app, "roamer");
      await roamer.http.json("PATCH", "/api/me", { json: { bio: "gone travelling" } });
      const elsewhere = await member.http.json<{ server: { id: string } }>(
        "POST",
        "/api/servers",
        { json: { name: "Elsewhere" } },
      );
      assert.equal(elsewhere.status, 201);
      await join(member, elsewhere.body.server.id, roamer);
      await join(owner, serverId, roamer);
      await join(owner, serverId, outsider);
      await post(roamer, channelId, "roaming on");
      await post(outsider, channelId, "bye everyone");
      await post(owner, channelId, "still here");
      await leave(roamer, serverId);
      await leave(outsider, serverId);

      const page = await pageAs(member);
      const problems = watchProblems(page);
      await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await socketReady(page);

      // Still sharing a server: name, username, bio, and no roles nor moderation.
      await page.locator(`[data-author="${roamer.id}"]`).click();
      const card = page.getByRole("dialog", { name: "roamer" });
      await card.getByText("@roamer", { exact: true }).waitFor();
      await card.getByText("Not a member of this server").waitFor();
      await card.getByText("gone travelling").waitFor();
      assert.equal(await card.getByRole("list", { name: "Roles" }).count(), 0);
      assert.equal(await card.getByRole("region", { name: "Moderation" }).count(), 0);
      assert.equal(await card.getByRole("button", { name: /Kick|Ban|Time out/ }).count(), 0);
      await page.keyboard.press("Escape");
      await card.waitFor({ state: "detached" });

      // Sharing nothing any more (GET /api/users/:id is 404): a short card says so.
      await page.locator(`[data-author="${outsider.id}"]`).click();
      const gone = page.getByRole("dialog", { name: "No longer here" });
      await gone.getByText("This person is no longer here").waitFor();
      await gone.getByRole("button", { name: "Close" }).click();
      await gone.waitFor({ state: "detached" });

      // A member's card is still the member's card.
      await page.locator(`[data-author="${owner.id}"]`).click();
      await page.getByRole("dialog", { name: "owner" }).getByText("Member since", { exact: false })
        .waitFor();
      // The one 404 is the answer the "No longer here" card is built from.
      assert.deepEqual(
        problems.filter((problem) => !problem.endsWith(`/api/users/${outsider.id}`)),
        [],
      );
    },
  );
}
