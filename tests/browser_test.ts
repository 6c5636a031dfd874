/**
 * A person in a real browser: registers, logs out, logs in and edits the profile through the
 * real forms, and the islands really hydrate (live preview through shared signals).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { BACKENDS } from "./helpers/backends.ts";
import { islandsReady, screenshot, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { PNG_1X1 } from "./helpers/fixtures.ts";

for (const backend of BACKENDS) {
  browserTest(`browser - register, log out, log in, edit the profile (${backend.name})`, {
    backend,
  }, async ({ app, browser }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);

    await page.goto(app.url);
    assert.equal(new URL(page.url()).pathname, "/login");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Username").fill("Browser.User");
    await page.getByLabel("Password").fill("a fine password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/chat$/);
    assert.match(await page.locator("h1").innerText(), /Welcome, browser\.user!/);

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel("Username").fill("browser.user");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    assert.match(await page.getByRole("alert").innerText(), /Wrong username or password/);
    assert.equal(await page.getByLabel("Username").inputValue(), "browser.user");
    await page.getByLabel("Password").fill("a fine password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/chat$/);

    await page.goto(`${app.url}/profile`);
    await islandsReady(page);
    const preview = page.getByTestId("preview-name");
    assert.equal(await preview.innerText(), "browser.user");
    // Typing updates the preview island through the shared signal: hydration happened.
    await page.getByLabel("Display name").fill("Brow Ser");
    await page.waitForFunction(
      () => document.querySelector("[data-testid=preview-name]")?.textContent === "Brow Ser",
    );
    await page.getByLabel("Bio").fill("Hello <b>world</b>");
    assert.equal(await page.locator("#bio-count").innerText(), "18 / 500");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/saved=profile/);
    assert.match(await page.getByRole("status").innerText(), /Profile saved/);
    assert.equal(await preview.innerText(), "Brow Ser");
    assert.match(await page.getByLabel("Profile preview").innerText(), /Hello <b>world<\/b>/);

    await islandsReady(page);
    await page.getByLabel("Avatar image").setInputFiles({
      name: "me.png",
      mimeType: "image/png",
      buffer: Buffer.from(PNG_1X1),
    });
    const previewAvatar = page.getByLabel("Profile preview").locator("img");
    await page.waitForFunction(() =>
      document.querySelector("[aria-label='Profile preview'] img")?.getAttribute("src")
        ?.startsWith("blob:")
    );
    await page.getByRole("button", { name: "Upload avatar" }).click();
    await page.waitForURL(/saved=avatar/);
    assert.match(await page.getByRole("status").innerText(), /Avatar updated/);
    assert.match((await previewAvatar.getAttribute("src"))!, /\/avatar\?v=/);
    // Once the image has loaded (the page may be shown before it has).
    const loaded = await previewAvatar.evaluate((img: HTMLImageElement) =>
      img.complete ? img.naturalWidth : new Promise<number>((resolve) => {
        img.onload = () => resolve(img.naturalWidth);
        img.onerror = () => resolve(0);
      })
    );
    assert.equal(loaded, 1);
    await screenshot(page, `profile-desktop-${backend.name}`);

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth > document.documentElement.clientWidth
    );
    assert.equal(overflow, false, "no horizontal scrolling on a phone");
    await screenshot(page, `profile-phone-${backend.name}`);
    assert.deepEqual(problems, []);
  });
}
