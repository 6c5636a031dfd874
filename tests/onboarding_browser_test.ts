/**
 * A friend's first visit: an invite link opened while logged out names the server, and the
 * invite survives the way through login and registration, with and without JavaScript.
 */
import assert from "node:assert/strict";
import { KV_BACKEND } from "./helpers/backends.ts";
import { watchProblems } from "./helpers/browser.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { room } from "./helpers/people.ts";
import type { Room } from "./helpers/people.ts";
import { startTestApp } from "./helpers/test_app.ts";
import type { TestApp } from "./helpers/test_app.ts";

async function inviteCode(app: TestApp, place: Room): Promise<string> {
  const invite = await place.owner.http.json<{ code: string }>(
    "POST",
    `/api/servers/${place.serverId}/invites`,
  );
  assert.equal(invite.status, 201, `invite: ${JSON.stringify(invite.body)} on ${app.url}`);
  return invite.body.code;
}

/** The app for these tests: on Deno KV, without rate limits. */
const NO_LIMITS = { env: { RATE_LIMITS: "off" } };

for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? "with JavaScript" : "without JavaScript";
  browserTest(
    `onboarding - a logged-out friend sees the invite's server, registers from login and joins (${how})`,
    NO_LIMITS,
    async ({ app, browser }) => {
      const place = await room(app);
      const code = await inviteCode(app, place);
      const page = await (await browser.newContext({ javaScriptEnabled })).newPage();
      // Without JavaScript the browser refuses the module preloads: not the page's fault.
      const problems = javaScriptEnabled ? watchProblems(page) : [];

      await page.goto(`${app.url}/invite/${code}`);
      assert.equal(new URL(page.url()).pathname, `/invite/${code}`, "a preview, no redirect");
      await page.getByRole("heading", { name: "Room" }).waitFor();

      await page.getByRole("link", { name: "Log in to join" }).click();
      await page.waitForURL(/\/login\?/);
      await page.getByRole("link", { name: "Create an account" }).click();
      await page.waitForURL(/\/register\?/);
      await page.getByLabel("Username").fill("new.friend");
      await page.getByLabel("Password").fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      // A refused form keeps the invite too.
      await page.locator("#password[aria-invalid=true]").waitFor();
      assert.match(page.url(), /\/register\?next=/);
      await page.getByLabel("Password").fill("a long enough password");
      await page.getByRole("button", { name: "Create account" }).click();

      await page.waitForURL(`${app.url}/invite/${code}`);
      await page.getByRole("button", { name: "Join Room" }).click();
      await page.waitForURL(`${app.url}/chat/${place.serverId}/${place.channelId}`);
      await page.getByRole("heading", { name: "general", level: 1 }).waitFor();
      assert.deepEqual(problems, []);
    },
  );
}

browserTest(
  "onboarding - login and register keep only a same-site next",
  NO_LIMITS,
  async ({ app, browser }) => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/register?next=${encodeURIComponent("//evil.example/x")}`);
    await page.getByLabel("Username").fill("careful.friend");
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${app.url}/chat`);

    // Logged in already: the next is followed at once.
    await page.goto(`${app.url}/register?next=${encodeURIComponent("/profile")}`);
    await page.waitForURL(`${app.url}/profile`);
  },
);

Deno.test("onboarding - an unknown invite code says so, logged out", async () => {
  const app = await startTestApp(KV_BACKEND);
  try {
    const response = await new HttpClient(app.url).request("GET", "/invite/no-such-code");
    assert.equal(response.status, 404);
    assert.match(await response.text(), /invite is invalid or has expired/);
  } finally {
    await app.close();
  }
});
