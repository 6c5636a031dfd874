/**
 * Channel settings in a real browser: an `@everyone` overwrite denying View channels hides the
 * channel live from a member (whose page, open on it, says it is gone and offers the way out)
 * while the owner keeps it; the owner reorders channels from the keyboard (Alt+Shift+↑ on a
 * focused channel, or drag and drop) and the member's list follows live; the order survives a
 * reload. A rename and a topic show live in a reader's header.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { BACKENDS } from "./helpers/backends.ts";
import { socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

/** The channel names of the sidebar, in order. */
async function shownChannels(page: Page): Promise<string[]> {
  return await page.getByRole("navigation", { name: "Channels" }).locator("[data-channel]")
    .evaluateAll((links) => links.map((link) => (link as HTMLElement).dataset.channel!));
}

async function waitForChannels(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (names) =>
      JSON.stringify(
        [...document.querySelectorAll("nav[aria-label=Channels] [data-channel]")].map((link) =>
          (link as HTMLElement).dataset.channel
        ),
      ) === JSON.stringify(names),
    expected,
  );
}

for (const backend of BACKENDS) {
  browserTest(
    `channel settings - an overwrite hides a channel live; keyboard and drag-and-drop reorder (${backend.name})`,
    { backend, env: { RATE_LIMITS: "off" } },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      const ids: Record<string, string> = {};
      for (const name of ["alpha", "beta"]) {
        const created = await owner.http.json<{ channel: { id: string } }>(
          "POST",
          `/api/servers/${serverId}/channels`,
          { json: { name } },
        );
        assert.equal(created.status, 201);
        ids[name] = created.body.channel.id;
      }
      const ownerPage = await pageAs(owner);
      const memberPage = await pageAs(member);
      const onBeta = await pageAs(member);
      const problems = [ownerPage, memberPage, onBeta].map(watchProblems);
      await ownerPage.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await memberPage.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await onBeta.goto(`${app.url}/chat/${serverId}/${ids.beta}`);
      for (const page of [ownerPage, memberPage, onBeta]) await socketReady(page);
      assert.deepEqual(await shownChannels(memberPage), ["general", "alpha", "beta"]);
      assert.equal(await memberPage.getByRole("button", { name: "Edit #beta" }).count(), 0);

      await ownerPage.getByRole("button", { name: "Edit #beta" }).click();
      const dialog = ownerPage.getByRole("dialog", { name: "#beta: channel settings" });
      await dialog.getByLabel("Add a role or member").selectOption({ label: "@everyone" });
      await dialog.getByRole("button", { name: "Add", exact: true }).click();
      const form = dialog.getByRole("form", { name: "Permissions for @everyone" });
      await form.getByRole("group", { name: "View channels" }).getByRole("radio", {
        name: "Deny",
      }).check();
      await form.getByRole("button", { name: "Save permissions" }).click();
      await dialog.getByText("Permissions for @everyone saved.").waitFor();

      // Gone live for the member; the page open on it says so and offers another channel.
      await waitForChannels(memberPage, ["general", "alpha"]);
      const notice = onBeta.getByRole("alertdialog", { name: "#beta is gone" });
      await notice.waitFor();
      await notice.getByRole("link", { name: "Go to #general" }).click();
      await onBeta.waitForURL(`${app.url}/chat/${serverId}/${channelId}`);
      assert.deepEqual(await shownChannels(ownerPage), ["general", "alpha", "beta"]);
      const hidden = await member.http.json("GET", `/api/channels/${ids.beta}/messages`);
      assert.equal(hidden.status, 404);
      await ownerPage.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });

      // Reorder from the keyboard: alpha goes above general, for everyone, live.
      await ownerPage.getByRole("link", { name: "alpha" }).focus();
      await ownerPage.keyboard.press("Alt+Shift+ArrowUp");
      await waitForChannels(ownerPage, ["alpha", "general", "beta"]);
      await waitForChannels(memberPage, ["alpha", "general"]);
      assert.equal(
        await ownerPage.evaluate(() => document.activeElement?.textContent?.trim()),
        "#alpha",
        "focus stays on the moved channel",
      );
      assert.equal(ownerPage.url(), `${app.url}/chat/${serverId}/${channelId}`, "no navigation");
      await ownerPage.reload();
      await socketReady(ownerPage);
      assert.deepEqual(await shownChannels(ownerPage), ["alpha", "general", "beta"]);

      // The same from the dialog's buttons: beta one place up.
      await ownerPage.getByRole("button", { name: "Edit #beta" }).click();
      await ownerPage.getByRole("button", { name: "Move up" }).click();
      await waitForChannels(ownerPage, ["alpha", "beta", "general"]);
      await ownerPage.keyboard.press("Escape");

      // And with the mouse: general dragged onto alpha takes its place.
      const nav = ownerPage.getByRole("navigation", { name: "Channels" });
      await nav.locator("li", { has: ownerPage.getByRole("link", { name: "general" }) }).dragTo(
        nav.locator("li", { has: ownerPage.getByRole("link", { name: "alpha" }) }),
      );
      await waitForChannels(ownerPage, ["general", "alpha", "beta"]);
      await waitForChannels(memberPage, ["general", "alpha"]);

      // A new name and topic show live in the header of a reader of the channel.
      await ownerPage.getByRole("button", { name: "Edit #general" }).click();
      const general = ownerPage.getByRole("dialog", { name: /channel settings/ });
      await general.getByLabel("Channel name").fill("lobby");
      await general.getByLabel("Topic").fill("Be kind");
      await general.getByRole("button", { name: "Save", exact: true }).click();
      await general.getByText("Saved.").waitFor();
      await memberPage.getByRole("heading", { name: "lobby", exact: true }).waitFor();
      await memberPage.getByText("Be kind").waitFor();
      await waitForChannels(memberPage, ["lobby", "alpha"]);
      assert.deepEqual(problems.flat(), []);
    },
  );
}
