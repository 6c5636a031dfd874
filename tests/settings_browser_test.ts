/**
 * The account settings page in a real browser with JavaScript off, as a person uses it: from
 * the chat's user panel to the page, a password change that logs the other device out, the
 * sessions list and its `Log out` buttons, and deleting the account; two-factor set-up (with
 * JavaScript on, for axe).
 */
import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import type { Page } from "playwright-core";
import { seriousViolations } from "./helpers/axe.ts";
import { BACKENDS, KV_BACKEND } from "./helpers/backends.ts";
import { signedInPage, watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { register, room } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";

const NO_JS = { javaScriptEnabled: false };
const PASSWORD = "correct horse";

/** The item of the sessions list that names `text`. */
function sessionItem(page: Page, text: string) {
  return page.getByRole("list", { name: "Sessions" }).getByRole("listitem").filter({
    hasText: text,
  });
}

for (const backend of BACKENDS) {
  browserTest(
    `settings - without JavaScript, a password change logs the other device out (${backend.name})`,
    { backend },
    async ({ app, browser, pageAs }) => {
      const ivy = await register(app, "ivy");
      const page = await pageAs(ivy, NO_JS);
      const other = await logIn(app, "ivy", { userAgent: "Other laptop" });
      const otherPage = await signedInPage(browser, app.url, other.http.cookie!, NO_JS);
      await otherPage.goto(`${app.url}/profile`);
      await otherPage.getByRole("heading", { name: "Settings", level: 1 }).waitFor();

      await page.goto(`${app.url}/profile`);
      await page.getByLabel("Current password", { exact: true }).fill("not my password");
      await page.getByLabel("New password", { exact: true }).fill("a much better secret");
      await page.getByRole("button", { name: "Change password" }).click();
      assert.equal(
        await page.locator("#currentPassword-error").innerText(),
        "Your current password is wrong.",
      );
      await page.getByLabel("Current password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("New password", { exact: true }).fill("a much better secret");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.waitForURL(/saved=password/);
      assert.match(await page.getByRole("status").innerText(), /Password changed/);

      await otherPage.reload();
      await otherPage.waitForURL(/\/login\?next=/);
      assert.equal(await meStatus(other.http), 401);
    },
  );
}

browserTest(
  "settings - without JavaScript, sessions are listed and logged out one by one or all",
  { backend: KV_BACKEND },
  async ({ app, pageAs }) => {
    const joy = await register(app, "joy");
    const phone = await logIn(app, "joy", { userAgent: "Phone app" });
    const tablet = await logIn(app, "joy", { userAgent: "Tablet app" });
    const page = await pageAs(joy, NO_JS);
    await page.goto(`${app.url}/profile`);
    const sessions = page.getByRole("list", { name: "Sessions" }).getByRole("listitem");
    assert.equal(await sessions.count(), 3);
    // The session the browser came with (made at registration): marked, and no `Log out`.
    const own = sessions.filter({ hasText: "This device" });
    assert.equal(await own.count(), 1);
    assert.equal(await own.getByRole("button").count(), 0);
    assert.match(await sessionItem(page, "Phone app").innerText(), /Signed in .* UTC; last seen/);

    await sessionItem(page, "Phone app").getByRole("button", { name: /^Log out/ }).click();
    await page.waitForURL(/saved=session/);
    assert.match(await page.getByRole("status").innerText(), /That session is logged out/);
    assert.equal(await sessionItem(page, "Phone app").count(), 0);
    assert.equal(await meStatus(phone.http), 401);
    assert.equal(await meStatus(tablet.http), 200);

    await page.getByRole("button", { name: "Log out all other sessions" }).click();
    await page.waitForURL(/saved=sessions/);
    assert.equal(await sessions.count(), 1);
    assert.equal(await meStatus(tablet.http), 401);
    assert.equal(await meStatus(joy.http), 200);
  },
);

browserTest(
  "settings - two-factor set-up shows the key as text, then the recovery codes; axe is content",
  { backend: KV_BACKEND },
  async ({ app, pageAs }) => {
    const kim = await register(app, "kim");
    // With JavaScript, for axe; the forms are the same plain posts (settings_page_test.ts).
    const page = await pageAs(kim, { bypassCSP: true });
    const problems = watchProblems(page);
    await page.goto(`${app.url}/profile`);
    await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
    const secret = await page.getByTestId("totp-secret").innerText();
    assert.match(await page.getByText(/^otpauth:\/\//).innerText(), new RegExp(secret));
    assert.deepEqual(await seriousViolations(page), []);
    const code = TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() });
    await page.getByLabel("Code from your authenticator app").fill(code);
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    assert.match(await page.getByRole("status").innerText(), /Two-factor authentication is on/);
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    assert.equal(await codes.count(), 10);
    assert.deepEqual(await seriousViolations(page), []);
    const login = await kim.http.json<{ error: { code: string } }>("POST", "/api/auth/login", {
      json: { username: "kim", password: PASSWORD },
    });
    assert.equal(login.body.error.code, "totp_required");
    assert.deepEqual(problems, []);
  },
);

for (const backend of BACKENDS) {
  browserTest(
    `settings - without JavaScript, the account is deleted and the browser is at the login (${backend.name})`,
    { backend },
    async ({ app, pageAs }) => {
      const lou = await register(app, "lou");
      const page = await pageAs(lou, NO_JS);
      await page.goto(`${app.url}/profile#delete`);
      await page.getByLabel("Password to confirm deletion").fill("not my password");
      await page.getByRole("button", { name: "Delete account" }).click();
      assert.equal(
        await page.locator("#deletePassword-error").innerText(),
        "Your current password is wrong.",
      );
      await page.getByLabel("Password to confirm deletion").fill(PASSWORD);
      await page.getByRole("button", { name: "Delete account" }).click();
      await page.waitForURL(`${app.url}/login`);
      await page.goto(`${app.url}/profile`);
      await page.waitForURL(/\/login\?next=/);
      assert.equal(await meStatus(lou.http), 401);
    },
  );
}

browserTest(
  "settings - the chat's user panel `Settings` reaches the page, without JavaScript",
  { backend: KV_BACKEND },
  async ({ app, pageAs }) => {
    const place = await room(app);
    const page = await pageAs(place.member, NO_JS);
    await page.goto(`${app.url}/chat/${place.serverId}/${place.channelId}`);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    for (const section of ["Profile", "Password", "Sessions", "Delete account"]) {
      await page.getByRole("heading", { name: section, level: 2 }).waitFor();
    }
    const nav = page.getByRole("navigation", { name: "Settings sections" });
    await nav.getByRole("link", { name: "Sessions" }).click();
    await page.waitForURL(/#sessions$/);
  },
);

browserTest(
  "settings - without JavaScript, `Download your data` downloads the export ZIP",
  { backend: KV_BACKEND },
  async ({ app, pageAs }) => {
    const max = await register(app, "max");
    const page = await pageAs(max, { ...NO_JS, acceptDownloads: true });
    await page.goto(`${app.url}/profile#export`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download your data" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.zip$/);
    const bytes = await Deno.readFile((await download.path())!);
    // A ZIP starts with a local file header: "PK\x03\x04".
    assert.deepEqual([...bytes.slice(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
  },
);
