/**
 * Password reset links (API.md "Accounts"): the page a link opens, over plain HTTP as a browser
 * without JavaScript would use it, and the "Forgot password?" e-mail through a real SMTP server.
 */
import assert from "node:assert/strict";
import { hashResetToken, issueResetToken, resetUrl } from "../lib/accounts/password_reset.ts";
import { WS_CLOSE_SESSION_ENDED } from "../lib/limits.ts";
import { appTest } from "./helpers/app_test.ts";
import { seedAdmin } from "./helpers/admins.ts";
import { BACKENDS, needs } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";
import type { Person } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";
import { startSmtpServer } from "./helpers/smtp_server.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { startTestApp } from "./helpers/test_app.ts";

const ADMINS = { ADMIN_USERNAMES: "root" };
const NEW_PASSWORD = "a brand new secret";

/** A reset link for `person`, made by the administrator `root`. */
async function linkFor(root: Person, person: Person): Promise<string> {
  const { status, body } = await root.http.json<{ url: string }>(
    "POST",
    `/api/admin/users/${person.id}/password-reset`,
  );
  assert.equal(status, 201, JSON.stringify(body));
  return body.url;
}

/** Submits the page's form the way a browser without scripts does: urlencoded, same origin. */
async function submitReset(app: TestApp, url: string, password: string) {
  const page = await fetch(url);
  const html = await page.text();
  assert.equal(page.status, 200, html);
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1];
  assert.ok(action, "the page has a POST form");
  assert.match(
    html,
    /<input[^>]*type="password"[^>]*name="password"|name="password"[^>]*type="password"/,
  );
  const response = await fetch(new URL(action, app.url), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: app.url },
    body: new URLSearchParams({ password }),
  });
  return { status: response.status, html: await response.text() };
}

async function loginStatus(app: TestApp, username: string, password: string): Promise<number> {
  const response = await new HttpClient(app.url).request("POST", "/api/auth/login", {
    json: { username, password },
  });
  await response.body?.cancel();
  return response.status;
}

appTest(
  "password reset page - sets the new password, ends every session, and works once",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const erin = await register(app, "erin");
    const phone = await logIn(app, "erin");
    const socket = await phone.connect();
    const url = await linkFor(root, erin);

    const page = await fetch(url);
    assert.equal(page.headers.get("Cache-Control"), "no-store");
    await page.body?.cancel();
    const done = await submitReset(app, url, NEW_PASSWORD);
    assert.equal(done.status, 200, done.html);
    assert.match(done.html, /Your password was changed/);

    assert.equal((await socket.next("error")).code, "session_ended");
    assert.equal((await socket.closed).code, WS_CLOSE_SESSION_ENDED);
    assert.equal(await meStatus(erin.http), 401);
    assert.equal(await meStatus(phone.http), 401);
    assert.equal(await loginStatus(app, "erin", "correct horse"), 401);
    assert.equal(await loginStatus(app, "erin", NEW_PASSWORD), 200);

    const again = await fetch(url);
    assert.equal(again.status, 404);
    assert.match(await again.text(), /invalid, already used or expired/);
    const reuse = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: app.url },
      body: new URLSearchParams({ password: "yet another secret" }),
    });
    assert.equal(reuse.status, 404);
    await reuse.body?.cancel();
    assert.equal(await loginStatus(app, "erin", NEW_PASSWORD), 200);
    assert.equal(await meStatus(root.http), 200);
  },
  ADMINS,
);

appTest(
  "password reset page - a refused password is shown on the form and keeps the link usable",
  async (app) => {
    const root = await seedAdmin(app, "root");
    const frank = await register(app, "frank");
    const url = await linkFor(root, frank);
    const short = await submitReset(app, url, "short");
    assert.equal(short.status, 400);
    assert.match(short.html, /aria-invalid="true"/);
    const weak = await submitReset(app, url, "frank's password");
    assert.equal(weak.status, 400);
    assert.match(weak.html, /must not contain your username/);
    assert.equal(await meStatus(frank.http), 200, "a refused reset ends no session");
    const done = await submitReset(app, url, NEW_PASSWORD);
    assert.equal(done.status, 200, done.html);
  },
  ADMINS,
);

for (const backend of BACKENDS) {
  Deno.test(
    `password reset page - an expired or unknown link is refused (${backend.name})`,
    needs(backend),
    async () => {
      const app = await startTestApp(backend);
      try {
        const gina = await register(app, "gina");
        // A link issued two hours ago, stored as the app stores one.
        const issued = await issueResetToken(Date.now() - 2 * 60 * 60 * 1000);
        await app.testStore.store.createPasswordReset({
          tokenHash: issued.tokenHash,
          userId: gina.id,
          createdAt: new Date(Date.now() - 2 * 60 * 60 * 1000),
          expiresAt: issued.expiresAt,
        });
        const expired = await fetch(resetUrl(app.url, issued.token));
        assert.equal(expired.status, 404);
        assert.match(await expired.text(), /expired/);
        for (const token of ["x".repeat(43), "not-a-token", "%00"]) {
          const unknown = await fetch(`${app.url}/password-reset/${token}`);
          assert.equal(unknown.status, 404, token);
          await unknown.body?.cancel();
        }
        // Only the hash is stored: the token itself is not a key of anything.
        assert.equal(await app.testStore.store.findPasswordReset(issued.token), null);
        assert.ok(await app.testStore.store.findPasswordReset(await hashResetToken(issued.token)));
      } finally {
        await app.close();
      }
    },
  );
}

for (const backend of BACKENDS) {
  Deno.test(
    `forgot password - mails a working link to the address on file, through real SMTP (${backend.name})`,
    needs(backend),
    async () => {
      const smtp = await startSmtpServer();
      const app = await startTestApp(backend, {
        SMTP_URL: smtp.url,
        SMTP_FROM: "Salon <noreply@salon.test>",
      });
      try {
        const hana = await register(app, "hana");
        const email = await hana.http.json<{ email: string | null }>("PUT", "/api/me/email", {
          json: { email: " hana@example.com ", currentPassword: "correct horse" },
        });
        assert.equal(email.status, 200, JSON.stringify(email.body));
        assert.equal(email.body.email, "hana@example.com");
        await register(app, "ivan"); // no address on file

        const login = await (await fetch(`${app.url}/login`)).text();
        assert.match(login, /href="\/forgot-password"/);
        const form = await fetch(`${app.url}/forgot-password`);
        assert.equal(form.status, 200);
        assert.match(await form.text(), /<form method="post" action="\/forgot-password"/);

        const ask = (username: string) =>
          fetch(`${app.url}/forgot-password`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: app.url },
            body: new URLSearchParams({ username }),
          });
        const answers = [];
        for (const username of ["HANA", "ivan", "nobody"]) {
          const response = await ask(username);
          answers.push({ status: response.status, html: await response.text() });
        }
        // The same page whether the account exists, has an address, or not.
        assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
        assert.equal(answers[1].html, answers[0].html);
        assert.equal(answers[2].html, answers[0].html);

        const [mail] = await smtp.waitFor(1);
        await app.accounts.resets.settled();
        assert.equal(smtp.messages.length, 1, "no mail for accounts without an address");
        assert.deepEqual(mail.to, ["hana@example.com"]);
        assert.equal(mail.from, "noreply@salon.test");
        assert.match(mail.headers.subject, /Reset your Salon password/);
        const link = mail.text.match(/http:\/\/\S+\/password-reset\/[A-Za-z0-9_-]{43}/)?.[0];
        assert.ok(link, mail.text);
        assert.ok(link.startsWith(app.url));

        const done = await submitReset(app, link, NEW_PASSWORD);
        assert.equal(done.status, 200, done.html);
        assert.equal(await meStatus(hana.http), 401);
        assert.equal(await loginStatus(app, "hana", NEW_PASSWORD), 200);
        const spent = await fetch(link);
        assert.equal(spent.status, 404);
        await spent.body?.cancel();
      } finally {
        await app.close();
        await smtp.close();
      }
    },
  );
}

appTest("forgot password - without SMTP_URL the page does not exist", async (app) => {
  const form = await fetch(`${app.url}/forgot-password`);
  assert.equal(form.status, 404);
  await form.body?.cancel();
  const login = await (await fetch(`${app.url}/login`)).text();
  assert.doesNotMatch(login, /forgot-password/);
});

appTest(
  "PUT /api/me/email - sets, shows and removes the address; a bad one is 400",
  async (app) => {
    const jane = await register(app, "jane");
    const shown = () => jane.http.json<{ email: string | null }>("GET", "/api/me/email");
    assert.deepEqual((await shown()).body, { email: null });
    const set = await jane.http.json("PUT", "/api/me/email", {
      json: { email: "jane@example.com", currentPassword: "correct horse" },
    });
    assert.deepEqual(set.body, { email: "jane@example.com" });
    assert.deepEqual((await shown()).body, { email: "jane@example.com" });
    const bad = await jane.http.json<{ error: { code: string } }>("PUT", "/api/me/email", {
      json: { email: "not an address", currentPassword: "correct horse" },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_email");
    assert.deepEqual((await shown()).body, { email: "jane@example.com" });
    await jane.http.json("PUT", "/api/me/email", {
      json: { email: "", currentPassword: "correct horse" },
    });
    assert.deepEqual((await shown()).body, { email: null });
    // Nobody else sees it: it is not part of the public user.
    const me = await jane.http.json<{ user: Record<string, unknown> }>("GET", "/api/me");
    assert.equal("email" in me.body.user, false);
  },
);
