/**
 * The account settings page as a browser without JavaScript uses it, over HTTP: form posts to
 * /settings/..., redirects with a notice, and errors next to their fields with 400/401/409.
 */
import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import { appTest } from "./helpers/app_test.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { register } from "./helpers/people.ts";
import { logIn, meStatus } from "./helpers/second_session.ts";

const PASSWORD = "correct horse";
const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields) });

async function pageText(client: HttpClient, path = "/profile"): Promise<string> {
  const response = await client.request("GET", path);
  assert.equal(response.status, 200);
  return await response.text();
}

/** The error message shown under a field of the page, or undefined. */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`id="${field}-error"[^>]*>([^<]*)<`).exec(html)?.[1];
}

appTest("settings page - /settings leads to it; visitors go to the login first", async (app) => {
  const visitor = new HttpClient(app.url);
  const away = await visitor.request("GET", "/profile");
  assert.equal(away.status, 303);
  assert.equal(away.headers.get("Location"), "/login?next=%2Fprofile");
  const post = await visitor.request("POST", "/settings/password", form({}));
  assert.equal(post.status, 303);
  assert.match(post.headers.get("Location")!, /^\/login\?next=/);

  const ada = await register(app, "ada");
  const settings = await ada.http.request("GET", "/settings");
  await settings.body?.cancel();
  assert.equal(settings.headers.get("Location"), "/profile");
  const html = await pageText(ada.http);
  assert.match(html, /<title>Settings/);
  for (const heading of ["Profile", "Password", "Sessions", "Two-factor authentication"]) {
    assert.match(html, new RegExp(`<h2[^>]*>${heading}</h2>`));
  }
  assert.match(html, /<h2[^>]*>Delete account<\/h2>/);
});

appTest("settings page - password: a wrong current one is a 401 next to its field", async (app) => {
  const bea = await register(app, "bea");
  const wrong = await bea.http.request(
    "POST",
    "/settings/password",
    form({ currentPassword: "not my password", newPassword: "a much better secret" }),
  );
  assert.equal(wrong.status, 401);
  const html = await wrong.text();
  assert.equal(fieldError(html, "currentPassword"), "Your current password is wrong.");
  assert.match(html, /id="currentPassword"[^>]*aria-invalid="true"/);
  // Nothing changed: the old password still logs in.
  await logIn(app, "bea", { password: PASSWORD });
});

appTest("settings page - password: a weak new one is a 400 next to its field", async (app) => {
  const cid = await register(app, "cid");
  const weak = await cid.http.request(
    "POST",
    "/settings/password",
    form({ currentPassword: PASSWORD, newPassword: "cid is my name" }),
  );
  assert.equal(weak.status, 400);
  assert.equal(
    fieldError(await weak.text(), "newPassword"),
    "The password must not contain your username.",
  );
  const short = await cid.http.request(
    "POST",
    "/settings/password",
    form({ currentPassword: PASSWORD, newPassword: "short" }),
  );
  assert.equal(short.status, 400);
  assert.match(fieldError(await short.text(), "newPassword")!, /^Password must be 8–128/);
});

appTest(
  "settings page - password change logs the other sessions out, not this one",
  async (app) => {
    const dee = await register(app, "dee");
    const phone = await logIn(app, "dee", { userAgent: "Phone" });
    const changed = await dee.http.request(
      "POST",
      "/settings/password",
      form({ currentPassword: PASSWORD, newPassword: "a much better secret" }),
    );
    assert.equal(changed.status, 303);
    assert.equal(changed.headers.get("Location"), "/profile?saved=password");
    assert.match(await pageText(dee.http, "/profile?saved=password"), /Password changed\./);
    assert.equal(await meStatus(phone.http), 401);
    await logIn(app, "dee", { password: "a much better secret" });
  },
);

appTest(
  "settings page - sessions: listed with This device; log out one, then all others",
  async (app) => {
    const eve = await register(app, "eve");
    const phone = await logIn(app, "eve", {
      userAgent: "Mozilla/5.0 (Linux; Android 14) Firefox/128.0",
    });
    const tablet = await logIn(app, "eve", { userAgent: "Tablet app" });
    const html = await pageText(eve.http);
    assert.match(html, /Firefox on Android/);
    assert.match(html, /Tablet app/);
    assert.equal(html.match(/This device/g)?.length, 1);
    // One `Log out` per other session, each naming its session.
    const buttons = [...html.matchAll(/<button[^>]*aria-label="(Log out [^"]*)"/g)].map((m) =>
      m[1]
    );
    assert.equal(buttons.length, 2);
    assert.ok(buttons.some((name) => name.startsWith("Log out Firefox on Android, signed in")));

    const sessions = await eve.http.json<{ sessions: { id: string; userAgent: string }[] }>(
      "GET",
      "/api/me/sessions",
    );
    const phoneId = sessions.body.sessions.find((s) => s.userAgent.includes("Android"))!.id;
    const one = await eve.http.request(
      "POST",
      "/settings/sessions/revoke",
      form({ sessionId: phoneId }),
    );
    assert.equal(one.headers.get("Location"), "/profile?saved=session");
    assert.equal(await meStatus(phone.http), 401);
    assert.equal(await meStatus(tablet.http), 200);

    const unknown = await eve.http.request(
      "POST",
      "/settings/sessions/revoke",
      form({ sessionId: phoneId }),
    );
    await unknown.body?.cancel();
    assert.equal(unknown.status, 404);

    const all = await eve.http.request("POST", "/settings/sessions/revoke-others", form({}));
    assert.equal(all.headers.get("Location"), "/profile?saved=sessions");
    assert.equal(await meStatus(tablet.http), 401);
    assert.equal(await meStatus(eve.http), 200);
    assert.doesNotMatch(await pageText(eve.http), /Log out all other sessions/);
  },
);

appTest(
  "settings page - delete account: wrong password 401, owner 409 explained, then gone",
  async (app) => {
    const fay = await register(app, "fay");
    const wrong = await fay.http.request(
      "POST",
      "/settings/delete",
      form({ deletePassword: "not my password" }),
    );
    assert.equal(wrong.status, 401);
    assert.equal(
      fieldError(await wrong.text(), "deletePassword"),
      "Your current password is wrong.",
    );

    const created = await fay.http.request("POST", "/api/servers", { json: { name: "Fay's" } });
    await created.body?.cancel();
    const owner = await fay.http.request(
      "POST",
      "/settings/delete",
      form({ deletePassword: PASSWORD }),
    );
    assert.equal(owner.status, 409);
    assert.match(
      await owner.text(),
      /role="alert"[^>]*>You own servers: delete them or hand them over/,
    );
    assert.equal(await meStatus(fay.http), 200, "nothing is deleted");

    const gil = await register(app, "gil");
    const deleted = await gil.http.request(
      "POST",
      "/settings/delete",
      form({ deletePassword: PASSWORD }),
    );
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.get("Location"), "/login");
    assert.equal(gil.http.cookie, undefined, "the session cookie is cleared");
    const login = await new HttpClient(app.url).request("POST", "/api/auth/login", {
      json: { username: "gil", password: PASSWORD },
    });
    await login.body?.cancel();
    assert.equal(login.status, 401);
  },
);

appTest(
  "settings page - two-factor: key shown, a wrong code kept, recovery codes once, off",
  async (app) => {
    const gus = await register(app, "gus");
    const started = await gus.http.request("POST", "/settings/two-factor", form({}));
    assert.equal(started.status, 200);
    const html = await started.text();
    const secret = /data-testid="totp-secret"[^>]*>([A-Z2-7]+)</.exec(html)?.[1];
    assert.ok(secret, "the key is shown as text");
    const otpauthUrl = /<code[^>]*>(otpauth:\/\/[^<]+)</.exec(html)?.[1];
    assert.ok(otpauthUrl?.includes(`secret=${secret}`), otpauthUrl);

    const confirm = (totpCode: string) =>
      gus.http.request(
        "POST",
        "/settings/two-factor/confirm",
        form({ totpCode, secret, otpauthUrl: otpauthUrl!.replaceAll("&amp;", "&") }),
      );
    const code = TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() });
    const wrongCode = String((Number(code) + 500_000) % 1_000_000).padStart(6, "0");
    const wrong = await confirm(wrongCode);
    assert.equal(wrong.status, 400);
    const again = await wrong.text();
    assert.match(fieldError(again, "totpCode")!, /not the one your authenticator app shows/);
    assert.match(again, new RegExp(`>${secret}<`), "the same key, to try again");

    const right = await confirm(code);
    assert.equal(right.status, 200);
    const confirmed = await right.text();
    assert.match(confirmed, /Two-factor authentication is on\./);
    const recovery = /aria-label="Recovery codes"[^>]*>(.*?)<\/ul>/s.exec(confirmed)?.[1] ?? "";
    assert.equal(recovery.match(/<li>/g)?.length, 10);
    const [firstCode] = [...recovery.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]);
    assert.doesNotMatch(await pageText(gus.http), /Recovery codes/, "shown only once");

    const noCode = await gus.http.request(
      "POST",
      "/settings/two-factor/disable",
      form({ disablePassword: PASSWORD, disableCode: "" }),
    );
    assert.equal(noCode.status, 400);
    assert.match(fieldError(await noCode.text(), "disableCode")!, /code/);
    const badPassword = await gus.http.request(
      "POST",
      "/settings/two-factor/disable",
      form({ disablePassword: "not my password", disableCode: firstCode }),
    );
    assert.equal(badPassword.status, 401);
    assert.equal(fieldError(await badPassword.text(), "disablePassword"), "The password is wrong.");
    const off = await gus.http.request(
      "POST",
      "/settings/two-factor/disable",
      form({ disablePassword: PASSWORD, disableCode: firstCode }),
    );
    assert.equal(off.headers.get("Location"), "/profile?saved=two-factor-off");
    assert.match(await pageText(gus.http), /Set up two-factor authentication/);
  },
);

appTest("settings page - e-mail: saved, a bad one kept with its error, removed", async (app) => {
  const hal = await register(app, "hal");
  const saved = await hal.http.request(
    "POST",
    "/settings/email",
    form({ email: "hal@example.com", emailPassword: "correct horse" }),
  );
  assert.equal(saved.headers.get("Location"), "/profile?saved=email");
  assert.match(await pageText(hal.http), /id="email"[^>]*value="hal@example.com"/);
  const bad = await hal.http.request(
    "POST",
    "/settings/email",
    form({ email: "not an address", emailPassword: "correct horse" }),
  );
  assert.equal(bad.status, 400);
  const html = await bad.text();
  assert.match(fieldError(html, "email")!, /must look like name@example.com/);
  assert.match(html, /value="not an address"/);
  const me = await hal.http.json<{ email: string | null }>("GET", "/api/me/email");
  assert.equal(me.body.email, "hal@example.com");
  await hal.http.request(
    "POST",
    "/settings/email",
    form({ email: "", emailPassword: "correct horse" }),
  );
  assert.equal((await hal.http.json<{ email: null }>("GET", "/api/me/email")).body.email, null);
});
