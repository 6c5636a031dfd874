/**
 * Usernames longer than any account can have, at the login form and the "Forgot password?"
 * form: the normal neutral answers, never a 500 (a KV key over 2 KiB throws), on both stores.
 */
import assert from "node:assert/strict";
import { appTest } from "./helpers/app_test.ts";
import { BACKENDS, needs } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";
import { startSmtpServer } from "./helpers/smtp_server.ts";
import { startTestApp } from "./helpers/test_app.ts";

const LONG_USERNAME = "a".repeat(5_000);

appTest("login - a 5,000-character username is 401 invalid_credentials", async (app) => {
  const client = new HttpClient(app.url);
  const answer = await client.json<{ error: { code: string } }>("POST", "/api/auth/login", {
    json: { username: LONG_USERNAME, password: "correct horse" },
  });
  assert.equal(answer.status, 401, JSON.stringify(answer.body));
  assert.equal(answer.body.error.code, "invalid_credentials");
});

for (const backend of BACKENDS) {
  Deno.test(
    `forgot password - a 5,000-character username gets the same page as an unknown one (${backend.name})`,
    needs(backend),
    async () => {
      const smtp = await startSmtpServer();
      const app = await startTestApp(backend, { SMTP_URL: smtp.url });
      try {
        const ask = async (username: string) => {
          const response = await fetch(`${app.url}/forgot-password`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: app.url },
            body: new URLSearchParams({ username }),
          });
          return { status: response.status, html: await response.text() };
        };
        const unknown = await ask("nobody");
        const long = await ask(LONG_USERNAME);
        assert.equal(long.status, 200, long.html);
        assert.equal(long.html, unknown.html);
      } finally {
        await app.close();
        await smtp.close();
      }
    },
  );
}
