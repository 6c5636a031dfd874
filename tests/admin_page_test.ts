/**
 * The instance administration page (/admin) as a browser without JavaScript uses it: form
 * posts, redirects back with a notice, refusals on the page with their status. Over HTTP on
 * both stores, and one walk in Chromium with JavaScript off.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { seedAdmin } from "./helpers/admins.ts";
import { browserTest } from "./helpers/browser_session.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";
import type { Person } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";

const ADMINS = { ADMIN_USERNAMES: "root, ops" };
const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields) });

async function adminHtml(client: HttpClient, path = "/admin"): Promise<string> {
  const response = await client.request("GET", path);
  assert.equal(response.status, 200, path);
  return await response.text();
}

/** The usernames of the list's rows, in order. */
function listedUsernames(html: string): string[] {
  return [...html.matchAll(/<th scope="row"[^>]*>([^<]+)</g)].map((match) => match[1].trim());
}

/** POSTs the Suspend (`true`) or Reinstate (`false`) form of `person`'s row. */
function setSuspended(admin: Person, person: Person, suspended: boolean) {
  return admin.http.request(
    "POST",
    `/admin/users/${person.id}/suspension`,
    form({ suspended: String(suspended) }),
  );
}

appTest(
  "admin page - only administrators find it: others get 404, visitors the login",
  async (app) => {
    const visitor = await new HttpClient(app.url).request("GET", "/admin");
    assert.equal(visitor.status, 303);
    assert.equal(visitor.headers.get("Location"), "/login?next=%2Fadmin");

    const alice = await register(app, "alice");
    const bob = await register(app, "bob");
    const page = await alice.http.request("GET", "/admin");
    assert.equal(page.status, 404);
    assert.doesNotMatch(await page.text(), /bob/);
    for (const action of ["suspension", "password-reset"]) {
      const post = await alice.http.request(
        "POST",
        `/admin/users/${bob.id}/${action}`,
        form({ suspended: "true" }),
      );
      assert.equal(post.status, 404, action);
      await post.body?.cancel();
    }
    assert.equal(await meStatus(bob.http), 200);
    // Nor does the header of their pages link to it.
    assert.doesNotMatch(await adminHtml(alice.http, "/profile"), /href="\/admin"/);
  },
  ADMINS,
);

appTest("admin page - lists users a page at a time, with a link to the next page", async (app) => {
  const root = await seedAdmin(app, "root");
  for (const name of ["b.z", "bcd", "a-z", "zed"]) await register(app, name);

  const first = await adminHtml(root.http, "/admin?limit=2");
  assert.deepEqual(listedUsernames(first), ["a-z", "b.z"]);
  assert.match(first, /<h1[^>]*>Administration<\/h1>/);
  assert.match(first, /href="\/admin\?after=b.z&amp;limit=2"[^>]*>Next page</);
  const second = await adminHtml(root.http, "/admin?after=b.z&limit=2");
  assert.deepEqual(listedUsernames(second), ["bcd", "root"]);
  // The administrator's own row says why it has no Suspend button.
  assert.match(second, /Administrators cannot be suspended\./);
  assert.match(second, /href="\/admin\?after=root&amp;limit=2"[^>]*>Next page</);
  const last = await adminHtml(root.http, "/admin?after=root&limit=2");
  assert.deepEqual(listedUsernames(last), ["zed"]);
  assert.doesNotMatch(last, /Next page/);

  const all = await adminHtml(root.http);
  assert.deepEqual(listedUsernames(all), ["a-z", "b.z", "bcd", "root", "zed"]);
  assert.equal([...all.matchAll(/>Suspend<span/g)].length, 4);
  assert.match(all, /href="\/admin"[^>]*>Admin</);
  const bad = await root.http.request("GET", "/admin?limit=1000");
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /`limit` must be an integer from 1 to 100/);
}, ADMINS);

appTest(
  "admin page - Suspend ends the user's sessions; Reinstate lets them log in",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const bob = await register(app, "bob");
    const phone = await logIn(app, "bob");

    const suspended = await setSuspended(root, bob, true);
    assert.equal(suspended.status, 303);
    const back = suspended.headers.get("Location")!;
    assert.equal(back, "/admin?done=suspended&user=bob");
    const page = await adminHtml(root.http, back);
    assert.match(page, /role="status"[^>]*>bob is suspended: their sessions are logged out\.</);
    assert.match(page, />Suspended</);
    assert.match(page, />Reinstate<span/);
    assert.equal(await meStatus(bob.http), 403);
    assert.equal(await meStatus(phone.http), 403);
    const login = await new HttpClient(app.url).request("POST", "/api/auth/login", {
      json: { username: "bob", password: "correct horse" },
    });
    assert.equal(login.status, 403);
    await login.body?.cancel();

    const reinstated = await setSuspended(root, bob, false);
    assert.equal(reinstated.status, 303);
    assert.equal(reinstated.headers.get("Location"), "/admin?done=reinstated&user=bob");
    await reinstated.body?.cancel();
    const again = await logIn(app, "bob");
    assert.equal(await meStatus(again.http), 200);
  },
  ADMINS,
);

appTest("admin page - suspending keeps the page of the list it was sent from", async (app) => {
  const root = await seedAdmin(app, "root");
  await register(app, "amy");
  const zoe = await register(app, "zoe");
  const suspended = await root.http.request(
    "POST",
    `/admin/users/${zoe.id}/suspension`,
    form({ suspended: "true", after: "amy", limit: "2" }),
  );
  assert.equal(
    suspended.headers.get("Location"),
    "/admin?after=amy&limit=2&done=suspended&user=zoe",
  );
  await suspended.body?.cancel();
}, ADMINS);

appTest(
  "admin page - an administrator or bad input is refused on the page, not a 500",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const ops = await seedAdmin(app, "ops");
    const dan = await register(app, "dan");
    const refused = await setSuspended(root, ops, true);
    assert.equal(refused.status, 403);
    const html = await refused.text();
    assert.match(html, /role="alert"[^>]*>Administrators cannot be suspended: remove them/);
    assert.deepEqual(listedUsernames(html), ["dan", "ops", "root"]);
    assert.equal(await meStatus(ops.http), 200);

    const bad = await root.http.request(
      "POST",
      `/admin/users/${dan.id}/suspension`,
      form({ suspended: "maybe" }),
    );
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /`suspended` must be true or false\./);
    const unknown = await root.http.request(
      "POST",
      "/admin/users/nobody/password-reset",
      form({}),
    );
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /role="alert"[^>]*>No such user\./);
    assert.equal(await meStatus(dan.http), 200);
  },
  ADMINS,
);

appTest("admin page - Make reset link shows a link that works once", async (app) => {
  const root = await seedAdmin(app, "root");
  const erin = await register(app, "erin");
  const made = await root.http.request(
    "POST",
    `/admin/users/${erin.id}/password-reset`,
    form({}),
  );
  assert.equal(made.status, 200);
  assert.equal(made.headers.get("Cache-Control"), "no-store");
  const html = await made.text();
  assert.match(html, /A reset link for erin: it works once/);
  const url = /id="reset-link"[^>]*value="([^"]+)"/.exec(html)?.[1];
  assert.ok(url, "the page shows the link");
  assert.match(url, new RegExp(`^${app.url}/password-reset/[A-Za-z0-9_-]{43}$`));

  const visitor = new HttpClient(app.url);
  const path = new URL(url).pathname;
  const used = await visitor.request("POST", path, form({ password: "a fresh new secret" }));
  assert.equal(used.status, 200);
  assert.match(await used.text(), /Your password was changed/);
  assert.equal(await meStatus(erin.http), 401);
  await logIn(app, "erin", { password: "a fresh new secret" });
  const twice = await visitor.request("POST", path, form({ password: "another new secret" }));
  assert.equal(twice.status, 404);
  await twice.body?.cancel();
}, ADMINS);

browserTest(
  "admin page - without JavaScript: suspend a user and make their reset link",
  { env: ADMINS },
  async ({ app, pageAs }) => {
    const root = await seedAdmin(app, "root");
    const bob = await register(app, "bob");
    const page = await pageAs(root, { javaScriptEnabled: false });
    await page.goto(`${app.url}/admin`);
    await page.getByRole("heading", { name: "Administration" }).waitFor();
    const bobRow = page.getByRole("row", { name: /bob/ });
    await bobRow.getByRole("button", { name: "Suspend bob" }).click();
    await page.getByRole("status").filter({ hasText: "bob is suspended" }).waitFor();
    assert.equal(await meStatus(bob.http), 403);
    await page.getByRole("row", { name: /bob/ }).getByRole("button", { name: "Reinstate bob" })
      .click();
    await page.getByRole("status").filter({ hasText: "bob is reinstated" }).waitFor();
    await page.getByRole("button", { name: "Make reset link for bob" }).click();
    const link = page.getByRole("textbox", { name: /A reset link for bob/ });
    assert.match(await link.inputValue(), new RegExp(`^${app.url}/password-reset/`));
  },
);
