/**
 * Moderation from the member list in a real browser: a member opens a profile card with
 * `Message` (explained, no dead end) and, for the owner, `Kick`, `Ban` and `Time out`, each
 * asking first. The kicked member's page says that the server is gone, naming it; a banned
 * member's too, and the ban shows in the settings' Bans tab.
 */
import assert from "node:assert/strict";
import { seriousViolations } from "./helpers/axe.ts";
import { BACKENDS } from "./helpers/backends.ts";
import { screenshot, socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { register, room } from "./helpers/people.ts";

for (const backend of BACKENDS) {
  browserTest(
    `moderation - kick from the profile card, the kicked page names the server (${backend.name})`,
    { backend, env: { RATE_LIMITS: "off" } },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      const options = { viewport: { width: 1280, height: 800 }, bypassCSP: true };
      const ownerPage = await pageAs(owner, options);
      const memberPage = await pageAs(member, options);
      const problems = [ownerPage, memberPage].map(watchProblems);
      for (const page of [ownerPage, memberPage]) {
        await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
        await socketReady(page);
      }

      // A member sees the owner's card: Message (a DM) and Block, no moderation offered.
      await memberPage.getByRole("list", { name: "Members" }).getByRole("button", {
        name: /^owner/,
      }).click();
      const ownerCard = memberPage.getByRole("dialog", { name: "owner" });
      await ownerCard.getByRole("button", { name: "Message" }).waitFor();
      await ownerCard.getByRole("button", { name: "Block", exact: true }).waitFor();
      assert.equal(await ownerCard.getByRole("button", { name: "Kick" }).count(), 0);
      await memberPage.keyboard.press("Escape");

      await ownerPage.getByRole("list", { name: "Members" }).getByRole("button", {
        name: /^member/,
      }).click();
      const card = ownerPage.getByRole("dialog", { name: "member" });
      for (const name of ["Message", "Kick", "Ban", "Time out"]) {
        await card.getByRole("button", { name, exact: true }).waitFor();
      }
      await card.getByRole("button", { name: "Kick", exact: true }).click();
      // Asked first: nothing happened yet.
      await card.getByRole("button", { name: "Confirm kick" }).waitFor();
      if (backend.name === "kv") {
        assert.deepEqual(await seriousViolations(ownerPage), [], "the profile card is axe-clean");
        await screenshot(ownerPage, "profile-card-kick");
      }
      await card.getByLabel("Reason (optional)").fill("testing");
      await card.getByRole("button", { name: "Confirm kick" }).click();

      const notice = memberPage.getByRole("alertdialog", { name: "Room is gone" });
      await notice.waitFor();
      await notice.getByText(/Room is gone from your servers/).waitFor();
      assert.equal(
        await ownerPage.getByRole("list", { name: "Members" }).getByRole("button", {
          name: /^member/,
        }).count(),
        0,
        "the kicked member left the owner's list live",
      );
      await notice.getByRole("link", { name: "Back to your servers" }).click();
      await memberPage.waitForURL(/\/chat(\?new)?$/);
      const listed = await member.http.json<{ servers: unknown[] }>("GET", "/api/servers");
      assert.deepEqual(listed.body.servers, []);
      assert.deepEqual(problems.flat(), []);
    },
  );

  browserTest(
    `moderation - ban with a reason, time out, and the Bans tab (${backend.name})`,
    { backend, env: { RATE_LIMITS: "off" } },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      const third = await register(app, "third");
      const invite = await owner.http.json<{ code: string }>(
        "POST",
        `/api/servers/${serverId}/invites`,
      );
      await third.http.json("POST", `/api/invites/${invite.body.code}/join`);
      const ownerPage = await pageAs(owner);
      const memberPage = await pageAs(member);
      for (const page of [ownerPage, memberPage]) {
        await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
        await socketReady(page);
      }
      const members = ownerPage.getByRole("list", { name: "Members" });

      // Time out the third member for an hour: the card then offers to lift it.
      await members.getByRole("button", { name: /^third/ }).click();
      let card = ownerPage.getByRole("dialog", { name: "third" });
      await card.getByRole("button", { name: "Time out", exact: true }).click();
      await card.getByLabel("Duration").selectOption({ label: "28 days" });
      await card.getByRole("button", { name: "Confirm time out" }).click();
      await card.getByRole("button", { name: "Remove time out" }).waitFor();
      await card.getByText(/Timed out until/).first().waitFor();
      await ownerPage.keyboard.press("Escape");

      await members.getByRole("button", { name: /^member/ }).click();
      card = ownerPage.getByRole("dialog", { name: "member" });
      await card.getByRole("button", { name: "Ban", exact: true }).click();
      await card.getByLabel("Delete their recent messages").selectOption({
        label: "The last hour",
      });
      await card.getByLabel("Reason (optional)").fill("spam");
      await card.getByRole("button", { name: "Confirm ban" }).click();
      await memberPage.getByRole("alertdialog", { name: "Room is gone" }).waitFor();

      await ownerPage.getByRole("button", { name: "Server settings" }).click();
      const dialog = ownerPage.getByRole("dialog", { name: /server settings/ });
      await dialog.getByRole("tab", { name: "Bans" }).click();
      await dialog.getByRole("list", { name: "Bans" }).getByText("spam", { exact: false })
        .waitFor();
      const rejoin = await member.http.json("POST", `/api/invites/${invite.body.code}/join`);
      assert.equal(rejoin.status, 403);
      await dialog.getByRole("button", { name: "Unban member" }).click();
      await dialog.getByText("member may join again.").waitFor();
      const again = await member.http.json("POST", `/api/invites/${invite.body.code}/join`);
      assert.equal(again.status, 200);
    },
  );
}
