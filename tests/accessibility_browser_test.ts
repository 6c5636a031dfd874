/**
 * axe-core finds no serious or critical violation on the login, register, profile and chat
 * pages, in light and in dark, on a desktop and on a phone, including with the quick switcher
 * open. The chat is saved as a screenshot at each size in each theme (test-artifacts/).
 */
import assert from "node:assert/strict";
import { seriousViolations } from "./helpers/axe.ts";
import { islandsReady, screenshot } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

for (const colorScheme of ["light", "dark"] as const) {
  browserTest(
    `accessibility - axe on every page (${colorScheme})`,
    { env: { RATE_LIMITS: "off" } },
    async ({ app, browser, pageAs }) => {
      const { serverId, channelId, owner, member } = await room(app);
      await owner.http.json("POST", `/api/channels/${channelId}/messages`, {
        json: { content: "Hello **@member**, see https://example.com and `code`" },
      });
      const found: Record<string, unknown> = {};
      for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
        const visitor = await (await browser.newContext({ viewport, colorScheme, bypassCSP: true }))
          .newPage();
        const page = await pageAs(member, {
          viewport,
          colorScheme,
          bypassCSP: true,
        });
        const audit = async (name: string, target: typeof page) => {
          // Pages with islands are audited once hydrated; the others once loaded.
          if (await target.locator("salon-island").count()) await islandsReady(target);
          const violations = await seriousViolations(target);
          if (violations.length) found[`${name} ${viewport.width}px`] = violations;
        };
        await visitor.goto(`${app.url}/login`);
        await audit("login", visitor);
        await visitor.goto(`${app.url}/register`);
        await audit("register", visitor);
        await page.goto(`${app.url}/profile`);
        await audit("profile", page);
        await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
        await audit("chat", page);
        await page.getByText("Hello").waitFor();
        await screenshot(page, `chat-${viewport.width}x${viewport.height}-${colorScheme}`);
        await page.keyboard.press("Control+k");
        await page.getByRole("dialog", { name: "Find a channel" }).waitFor();
        await audit("quick switcher", page);
      }
      assert.deepEqual(found, {});
    },
  );
}
