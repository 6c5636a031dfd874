/** Keyboard use of the chat screen: Enter sends, Shift+Enter breaks the line, Alt+↑/↓ change channel. */
import assert from "node:assert/strict";
import { ensureAssets } from "../lib/assets/build.ts";
import { BACKENDS } from "./helpers/backends.ts";
import { closeBrowser, islandsReady, launchBrowser, watchProblems } from "./helpers/browser.ts";
import { startTestApp } from "./helpers/test_app.ts";

await ensureAssets();

Deno.test("keyboard - Enter, Shift+Enter and Alt+↑/↓ between channels", async () => {
  const app = await startTestApp(BACKENDS[0]);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/register`);
    await page.getByLabel("Username").fill("keys");
    await page.getByLabel("Password").fill("correct horse");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByLabel("Server name").fill("Keys");
    await page.getByRole("button", { name: "Create server" }).click();
    await page.waitForURL(/\/chat\/[^/]+\/[^/]+$/);
    const general = page.url();
    await page.getByLabel("New channel name").fill("second");
    await page.getByRole("button", { name: "Add" }).click();
    await page.waitForURL((url) => url.href !== general);
    const second = page.url();
    await islandsReady(page);

    const composer = page.getByLabel(/^Message #/);
    await composer.click();
    await page.keyboard.type("first line");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line");
    await page.keyboard.press("Enter");
    await page.locator("[data-seq='1']").waitFor();
    assert.equal(await page.locator("[data-seq='1']").innerText(), "first line\nsecond line");
    assert.equal(await composer.inputValue(), "", "the composer is cleared");

    await page.keyboard.press("Alt+ArrowUp");
    await page.waitForURL(general);
    await islandsReady(page);
    await page.keyboard.press("Alt+ArrowDown");
    await page.waitForURL(second);
    assert.deepEqual(problems, []);
  } finally {
    await closeBrowser(browser);
    await app.close();
  }
});

Deno.test("theme - follows the system until the toggle is used, then remembers", async () => {
  const app = await startTestApp(BACKENDS[0]);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ colorScheme: "dark" });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${app.url}/register`);
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
    assert.equal(await isDark(), true, "the system asks for dark");
    await page.getByLabel("Username").fill("themer");
    await page.getByLabel("Password").fill("correct horse");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/chat/);
    await page.goto(`${app.url}/profile`);
    await islandsReady(page);
    await page.getByRole("button", { name: /^Theme: system/ }).click(); // → light
    assert.equal(await isDark(), false);
    await page.reload();
    assert.equal(await isDark(), false, "remembered across pages");
    await islandsReady(page);
    await page.getByRole("button", { name: /^Theme: light/ }).click(); // → dark
    assert.equal(await isDark(), true);
    assert.deepEqual(problems, []);
  } finally {
    await closeBrowser(browser);
    await app.close();
  }
});
