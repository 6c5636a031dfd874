/**
 * The chat on a phone (390 × 844): channels and members are drawers that take focus, make the
 * rest of the page inert, close with Esc or their close control and give focus back; nothing
 * scrolls sideways; the composer stays in view when the on-screen keyboard shrinks the viewport.
 */
import assert from "node:assert/strict";
import { islandsReady, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { room } from "./helpers/people.ts";

browserTest("phone - channel and member drawers manage focus; the composer stays in view", {
  env: { RATE_LIMITS: "off" },
}, async ({ app, pageAs }) => {
  const { serverId, channelId, member } = await room(app);
  const page = await pageAs(member, {
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
  });
  const problems = watchProblems(page);
  await page.goto(`${app.url}/chat/${serverId}/${channelId}`);
  await islandsReady(page);
  const focusedIn = (id: string) =>
    page.evaluate((id) => document.getElementById(id)!.contains(document.activeElement), id);
  const focusedLabel = () =>
    page.evaluate(() => document.activeElement?.getAttribute("aria-label"));

  const channels = page.getByRole("navigation", { name: "Channels" });
  assert.equal(await channels.isVisible(), false, "the channel list starts hidden");
  await page.getByRole("link", { name: "Show channels" }).click();
  await channels.waitFor();
  assert.ok(await focusedIn("channels"), "focus moves into the drawer");
  assert.equal(await page.locator("main").getAttribute("inert"), "", "the rest is inert");
  await page.keyboard.press("Escape");
  await channels.waitFor({ state: "hidden" });
  assert.equal(await focusedLabel(), "Show channels", "focus returns to the button");
  assert.equal(await page.locator("main").getAttribute("inert"), null);

  const members = page.getByRole("complementary", { name: "Members" });
  assert.equal(await members.isVisible(), false);
  await page.getByRole("link", { name: "Show members" }).click();
  await members.getByText("owner").waitFor();
  assert.ok(await focusedIn("members"));
  await page.getByRole("link", { name: "Close the member list" }).click();
  await members.waitFor({ state: "hidden" });
  assert.equal(await focusedLabel(), "Show members");

  const sideways = () =>
    page.evaluate(() =>
      document.documentElement.scrollWidth > document.documentElement.clientWidth
    );
  assert.equal(await sideways(), false, "no horizontal scrolling at 390 px");

  // The on-screen keyboard takes the lower half (the page asks to be resized for it).
  await page.setViewportSize({ width: 390, height: 420 });
  const composer = await page.locator("#composer").boundingBox();
  assert.ok(composer && composer.y + composer.height <= 420, "the composer is above it");
  assert.equal(await sideways(), false);
  assert.deepEqual(problems, []);
});
