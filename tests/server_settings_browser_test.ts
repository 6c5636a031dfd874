/**
 * The server settings dialog in a real browser: the owner opens `Server settings`, renames the
 * server (`Server name` + `Save`), creates a role with a permission, gives it to a member in
 * Members; the member's own page follows live (the new name and icon in the rail, then
 * `Server settings` appearing because the role lets them kick). The dialog is modal (Escape
 * closes it) and axe-clean in light and dark, on a desktop and a phone. Ownership moves live,
 * and deleting the server leaves the others a notice naming it.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { seriousViolations } from "./helpers/axe.ts";
import { BACKENDS } from "./helpers/backends.ts";
import { screenshot, socketReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";
import { room } from "./helpers/people.ts";

for (const backend of BACKENDS) {
  browserTest(
    `server settings - rename, role with a permission, given live (${backend.name})`,
    { backend, env: { RATE_LIMITS: "off" } },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
        json: { content: "owner says hi" },
      });
      const options = { viewport: { width: 1280, height: 800 }, bypassCSP: true };
      const ownerPage = await pageAs(owner, options);
      const memberPage = await pageAs(member, options);
      const problems = [...[ownerPage, memberPage].map(watchProblems)];
      for (const page of [ownerPage, memberPage]) {
        await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
        await socketReady(page);
      }
      assert.equal(
        await memberPage.getByRole("button", { name: "Server settings" }).count(),
        0,
        "a plain member has nothing to manage",
      );
      const hi = memberPage.locator("[data-seq]", { hasText: "owner says hi" }).locator("xpath=..");
      await hi.hover();
      assert.equal(await hi.getByRole("button", { name: "Delete" }).count(), 0);

      await ownerPage.getByRole("button", { name: "Server settings" }).click();
      const dialog = ownerPage.getByRole("dialog", { name: /server settings/ });
      await dialog.waitFor();
      for (const name of ["Overview", "Roles", "Members", "Invites", "Bans", "Audit log"]) {
        await dialog.getByRole("tab", { name }).waitFor();
      }
      if (backend.name === "kv") {
        assert.deepEqual(await seriousViolations(ownerPage), [], "the dialog is axe-clean");
      }

      await dialog.getByRole("textbox", { name: "Server name" }).fill("Renamed Room");
      await dialog.getByRole("button", { name: "Save", exact: true }).click();
      await dialog.getByText("Saved.").waitFor();
      await memberPage.getByRole("heading", { name: "Renamed Room" }).waitFor();
      await memberPage.getByRole("navigation", { name: "Servers" }).getByRole("link", {
        name: "Renamed Room",
        exact: true,
      }).waitFor();

      // An icon: shown in everyone's server rail at once.
      await dialog.getByLabel("Server icon").setInputFiles({
        name: "icon.png",
        mimeType: "image/png",
        buffer: Buffer.from(PNG_1X1),
      });
      await dialog.getByText("Icon updated.").waitFor();
      await memberPage.locator(`nav[aria-label=Servers] a[href="/chat/${serverId}"] img`)
        .waitFor();

      await dialog.getByRole("tab", { name: "Roles" }).click();
      await dialog.getByLabel("New role name").fill("Moderators");
      await dialog.getByRole("button", { name: "Create role" }).click();
      await dialog.getByRole("checkbox", { name: "Kick members" }).check();
      await dialog.getByRole("checkbox", { name: "Manage messages" }).check();
      await dialog.getByRole("button", { name: "Save role" }).click();
      await dialog.getByText("Moderators saved.").waitFor();
      if (backend.name === "kv") {
        assert.deepEqual(await seriousViolations(ownerPage), [], "the role editor is axe-clean");
        await screenshot(ownerPage, "server-settings-roles");
      }

      await dialog.getByRole("tab", { name: "Members" }).click();
      await dialog.getByRole("checkbox", { name: "Moderators for member" }).check();
      await dialog.getByText("Gave Moderators to member.").waitFor();

      // Live on the member's page: the role lets them kick, so the settings open for them too.
      await memberPage.getByRole("button", { name: "Server settings" }).waitFor();
      // …and delete others' messages (Manage messages), without a reload.
      await hi.hover();
      await hi.getByRole("button", { name: "Delete" }).waitFor();
      await memberPage.getByRole("list", { name: "Members" }).getByRole("button", {
        name: /^member/,
      }).click();
      const card = memberPage.getByRole("dialog", { name: "member" });
      await card.getByRole("list", { name: "Roles" }).getByText("Moderators").waitFor();
      await memberPage.keyboard.press("Escape");
      await card.waitFor({ state: "hidden" });

      // The audit log has recorded it all, newest first.
      await dialog.getByRole("tab", { name: "Audit log" }).click();
      const log = dialog.getByRole("list", { name: "Audit log entries" });
      await log.getByText("gave a role").waitFor();
      await log.getByText("created a role").waitFor();
      await log.getByText("updated the server").first().waitFor();
      await dialog.getByText(/Renamed Room/).first().waitFor();

      // Modal: Escape closes it and the page is usable again.
      await ownerPage.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await ownerPage.getByLabel(/^Message #/).fill("still here");
      assert.deepEqual(problems.flat(), []);
    },
  );
}

for (const backend of BACKENDS) {
  browserTest(
    `server settings - transfer ownership, then the new owner deletes the server (${backend.name})`,
    { backend, env: { RATE_LIMITS: "off" } },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      const ownerPage = await pageAs(owner);
      const memberPage = await pageAs(member);
      for (const page of [ownerPage, memberPage]) {
        await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
        await socketReady(page);
      }
      await ownerPage.getByRole("button", { name: "Server settings" }).click();
      const dialog = ownerPage.getByRole("dialog", { name: /server settings/ });
      await dialog.getByLabel("New owner").selectOption({ label: "member (@member)" });
      await dialog.getByRole("button", { name: "Transfer ownership" }).click();
      await dialog.getByRole("button", { name: "Yes, transfer it" }).click();
      await dialog.getByText("Ownership transferred.").waitFor();
      // Live: the former owner may now leave; the new one may not, and owns the settings.
      await ownerPage.getByRole("link", { name: "Leave Room" }).waitFor();
      await memberPage.getByRole("button", { name: "Server settings" }).click();
      const theirs = memberPage.getByRole("dialog", { name: /server settings/ });
      await theirs.getByRole("button", { name: "Delete server" }).click();
      await theirs.getByRole("button", { name: "Delete forever" }).click();
      await memberPage.waitForURL(/\/chat(\?new)?$/);
      const notice = ownerPage.getByRole("alertdialog", { name: "Room is gone" });
      await notice.getByText(/Room is gone from your servers/).waitFor();
      assert.equal((await owner.http.json("GET", `/api/servers/${serverId}`)).status, 404);
    },
  );
}

for (const colorScheme of ["light", "dark"] as const) {
  browserTest(
    `server settings - axe-clean for the owner, every tab and card (${colorScheme})`,
    { env: { RATE_LIMITS: "off" } },
    async ({ app, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      await owner.http.json("POST", `/api/servers/${serverId}/roles`, {
        json: { name: "Helpers", color: 0x2e7d32, permissions: ["kick_members"] },
      });
      await owner.http.json("POST", `/api/servers/${serverId}/channels`, {
        json: { name: "Lounge", kind: "category" },
      });
      await owner.http.json("POST", `/api/servers/${serverId}/invites`, {
        json: { maxAgeSeconds: 3600, maxUses: 3 },
      });
      await owner.http.json("PUT", `/api/servers/${serverId}/bans/${member.id}`, {
        json: { reason: "testing" },
      });
      const page = await pageAs(owner, {
        viewport: { width: 1280, height: 800 },
        colorScheme,
        bypassCSP: true,
      });
      const found: Record<string, unknown> = {};
      const audit = async (name: string) => {
        const violations = await seriousViolations(page);
        if (violations.length) found[name] = violations;
      };
      await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await socketReady(page);
      await audit("chat page as owner");
      await page.getByRole("button", { name: "Server settings" }).click();
      const dialog = page.getByRole("dialog", { name: /server settings/ });
      for (const tab of ["Overview", "Roles", "Members", "Invites", "Bans", "Audit log"]) {
        await dialog.getByRole("tab", { name: tab }).click();
        await dialog.getByRole("tab", { name: tab, selected: true }).waitFor();
        if (tab === "Roles") {
          await dialog.getByRole("button", { name: "Helpers", exact: true }).click();
        }
        if (tab === "Invites") await dialog.getByRole("list", { name: "Invites" }).waitFor();
        if (tab === "Bans") {
          await dialog.getByRole("list", { name: "Bans" }).getByText("member", { exact: true })
            .waitFor();
        }
        if (tab === "Audit log") await dialog.getByText("created a role").waitFor();
        await audit(`tab ${tab}`);
      }
      await screenshot(page, `server-settings-audit-${colorScheme}`);
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Edit #general" }).click();
      const channelDialog = page.getByRole("dialog", { name: "#general: channel settings" });
      await channelDialog.getByLabel("Add a role or member").selectOption({ label: "Helpers" });
      await channelDialog.getByRole("button", { name: "Add", exact: true }).click();
      await channelDialog.getByRole("form", { name: "Permissions for Helpers" }).waitFor();
      await audit("channel settings");
      await screenshot(page, `channel-settings-${colorScheme}`);
      await page.keyboard.press("Escape");
      await page.getByRole("list", { name: "Members" }).getByRole("button", { name: /^owner/ })
        .click();
      await page.getByRole("dialog", { name: "owner" }).waitFor();
      await audit("profile card");
      await page.keyboard.press("Escape");
      await page.goto(`${app.url}/chat/${serverId}/settings`);
      await audit("settings page without JavaScript");
      await page.goto(`${app.url}/invite/nonsense`);
      await audit("invalid invite page");

      // On a phone the settings open from the channel drawer, and fit the screen.
      const phone = await pageAs(owner, {
        viewport: { width: 390, height: 844 },
        colorScheme,
        bypassCSP: true,
      });
      await phone.goto(`${app.url}/chat/${serverId}/${channelId}`);
      await socketReady(phone);
      await phone.getByRole("link", { name: "Show channels" }).click();
      await phone.getByRole("button", { name: "Server settings" }).click();
      const small = phone.getByRole("dialog", { name: /server settings/ });
      await small.getByRole("tab", { name: "Roles" }).click();
      await small.getByRole("button", { name: "Helpers", exact: true }).click();
      const box = await small.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, "the dialog fits a phone");
      const violations = await seriousViolations(phone);
      if (violations.length) found["settings on a phone"] = violations;
      await screenshot(phone, `server-settings-phone-${colorScheme}`);
      assert.deepEqual(found, {});
    },
  );
}
