/**
 * The register and login pages under `REGISTRATION=invite` and `closed`, as a browser without
 * JavaScript uses them: over HTTP on both stores, and one walk in Chromium with JavaScript off.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { seedAccount } from "./helpers/seed_account.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { logIn } from "./helpers/second_session.ts";
import type { TestApp } from "./helpers/test_app.ts";

const INVITE_ONLY = { REGISTRATION: "invite" };
const CLOSED = { REGISTRATION: "closed" };
const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields) });
const NEWCOMER = { username: "newcomer", password: "correct horse" };

/** The operator's server "Club" and an invite code to it. */
async function clubInvite(app: TestApp): Promise<{ serverId: string; code: string }> {
  await seedAccount(app, "operator");
  const operator = await logIn(app, "operator");
  const created = await operator.http.json<{ server: { id: string } }>(
    "POST",
    "/api/servers",
    { json: { name: "Club" } },
  );
  assert.equal(created.status, 201);
  const invite = await operator.http.json<{ code: string }>(
    "POST",
    `/api/servers/${created.body.server.id}/invites`,
  );
  assert.equal(invite.status, 201);
  return { serverId: created.body.server.id, code: invite.body.code };
}

async function pageHtml(client: HttpClient, path: string): Promise<string> {
  const response = await client.request("GET", path);
  assert.equal(response.status, 200, path);
  return await response.text();
}

/** The error message shown under a field of the page, or undefined. */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`id="${field}-error"[^>]*>([^<]*)<`).exec(html)?.[1];
}

/** The POST /api/auth/login status of the newcomer: 401 while they have no account. */
async function newcomerLoginStatus(app: TestApp): Promise<number> {
  const response = await new HttpClient(app.url).request("POST", "/api/auth/login", {
    json: NEWCOMER,
  });
  await response.body?.cancel();
  return response.status;
}

appTest(
  "register page - invite-only: from an invite, the form has its code and says why",
  async (app) => {
    const { code } = await clubInvite(app);
    const visitor = new HttpClient(app.url);
    const invite = await pageHtml(visitor, `/invite/${code}`);
    const registerPath = `/register?next=${encodeURIComponent(`/invite/${code}`)}`;
    assert.ok(invite.includes(`href="${registerPath}"`), "the invite links to the form");

    const html = await pageHtml(visitor, registerPath);
    assert.match(html, /Registration here is by invitation/);
    assert.match(html, new RegExp(`<input id="inviteCode" name="inviteCode"[^>]*value="${code}"`));
    assert.match(html, /<label for="inviteCode"[^>]*>Invite code</);
    // Without an invite to come back to, the field is there and empty.
    const bare = await pageHtml(visitor, "/register");
    assert.match(bare, /<input id="inviteCode" name="inviteCode"[^>]* value required/);
  },
  INVITE_ONLY,
);

appTest(
  "register page - invite-only: the form's code registers and joins the server",
  async (app) => {
    const { serverId, code } = await clubInvite(app);
    const client = new HttpClient(app.url);
    const registered = await client.request(
      "POST",
      `/register?next=${encodeURIComponent(`/invite/${code}`)}`,
      form({ ...NEWCOMER, displayName: "", inviteCode: code }),
    );
    assert.equal(registered.status, 303);
    // Already a member: straight to the chat rather than back to an invite offering to join.
    assert.equal(registered.headers.get("Location"), "/chat");
    await registered.body?.cancel();
    const servers = await client.json<{ servers: { id: string }[] }>("GET", "/api/servers");
    assert.deepEqual(servers.body.servers.map((server) => server.id), [serverId]);
  },
  INVITE_ONLY,
);

appTest(
  "register page - invite-only: without a valid code, the page says so with 400",
  async (app) => {
    const { code } = await clubInvite(app);
    for (const inviteCode of [undefined, "", "no-such-code"]) {
      const fields: Record<string, string> = { ...NEWCOMER, displayName: "Newcomer" };
      if (inviteCode !== undefined) fields.inviteCode = inviteCode;
      const refused = await new HttpClient(app.url).request(
        "POST",
        `/register?next=${encodeURIComponent(`/invite/${code}`)}`,
        form(fields),
      );
      assert.equal(refused.status, 400, String(inviteCode));
      const html = await refused.text();
      assert.equal(
        fieldError(html, "inviteCode"),
        "Accounts here are by invitation: this invite code is missing, unknown or expired.",
      );
      assert.match(html, /id="inviteCode"[^>]*aria-invalid="true"/);
      // What was typed is kept, and so is the way back to the invite.
      assert.match(html, /name="username"[^>]*value="newcomer"/);
      assert.ok(html.includes(`action="/register?next=%2Finvite%2F${code}"`));
    }
    assert.equal(await newcomerLoginStatus(app), 401);
  },
  INVITE_ONLY,
);

appTest("register page - closed: the page says so and a posted form gets 403", async (app) => {
  await seedAccount(app, "operator");
  const visitor = new HttpClient(app.url);
  const html = await pageHtml(visitor, "/register");
  assert.match(html, /<h1[^>]*>Registration is closed<\/h1>/);
  assert.doesNotMatch(html, /name="password"/);

  const refused = await visitor.request("POST", "/register", form(NEWCOMER));
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /This server does not take new accounts/);
  assert.equal(await newcomerLoginStatus(app), 401);
  // The login page no longer offers an account; the operator still logs in with it.
  assert.doesNotMatch(await pageHtml(visitor, "/login"), /Create an account/);
  const login = await visitor.request(
    "POST",
    "/login",
    form({ username: "operator", password: "correct horse" }),
  );
  assert.equal(login.status, 303);
  await login.body?.cancel();
}, CLOSED);

appTest(
  "register page - open: the form has no invite field and the login page links to it",
  async (app) => {
    const visitor = new HttpClient(app.url);
    assert.doesNotMatch(await pageHtml(visitor, "/register?next=%2Finvite%2Fabc"), /inviteCode/);
    assert.match(await pageHtml(visitor, "/login"), /href="\/register"[^>]*>\s*Create an account/);
  },
);

browserTest(
  "register page - without JavaScript: an invite-only server's link leads to an account in it",
  { env: INVITE_ONLY },
  async ({ app, browser }) => {
    const { serverId, code } = await clubInvite(app);
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/invite/${code}`);
      await page.getByRole("link", { name: "Create an account" }).click();
      await page.getByText("Registration here is by invitation").waitFor();
      assert.equal(await page.getByLabel("Invite code").inputValue(), code);
      await page.getByLabel("Username").fill("newcomer");
      await page.getByLabel("Password").fill("correct horse");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(new RegExp(`/chat/${serverId}/`));
    } finally {
      await context.close();
    }
  },
);

appTest("invite page - closed: a visitor is offered only to log in", async (app) => {
  const { code } = await clubInvite(app);
  const html = await pageHtml(new HttpClient(app.url), `/invite/${code}`);
  assert.match(html, /Log in to join/);
  assert.doesNotMatch(html, /Create an account/);
  assert.match(html, /New accounts are closed here/);
}, CLOSED);

appTest("settings page - an administrator's header links to /admin, nobody else's", async (app) => {
  await seedAccount(app, "boss");
  await seedAccount(app, "staff");
  const boss = await logIn(app, "boss");
  const staff = await logIn(app, "staff");
  assert.match(await pageHtml(boss.http, "/profile"), /href="\/admin"/);
  assert.doesNotMatch(await pageHtml(staff.http, "/profile"), /href="\/admin"/);
}, { ...CLOSED, ADMIN_USERNAMES: "boss" });
