/** ADMIN_USERNAMES, SMTP_URL and SMTP_FROM in lib/config.ts: typed, validated, clear errors. */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../lib/config.ts";

Deno.test("loadConfig - ADMIN_USERNAMES is a lowercased list, empty by default", () => {
  assert.deepEqual(loadConfig({}).adminUsernames, []);
  assert.deepEqual(loadConfig({ ADMIN_USERNAMES: " Root, ops.team ,,root" }).adminUsernames, [
    "root",
    "ops.team",
  ]);
});

Deno.test("loadConfig - ADMIN_USERNAMES refuses what cannot be a username, naming it", () => {
  for (const bad of ["ok,no way", "ab", "x".repeat(33), "é-admin"]) {
    assert.throws(
      () => loadConfig({ ADMIN_USERNAMES: bad }),
      (error: unknown) =>
        error instanceof ConfigError && /^Invalid ADMIN_USERNAMES: .* got "/.test(error.message),
      bad,
    );
  }
});

Deno.test("loadConfig - SMTP_URL takes smtp:// or smtps://, unset by default", () => {
  assert.equal(loadConfig({}).smtpUrl, undefined);
  assert.equal(loadConfig({ SMTP_URL: "smtp://127.0.0.1:2525" }).smtpUrl, "smtp://127.0.0.1:2525");
  assert.equal(
    loadConfig({ SMTP_URL: "smtps://me:pw@mail.example.com" }).smtpUrl,
    "smtps://me:pw@mail.example.com",
  );
  for (const bad of ["127.0.0.1:2525", "http://mail.example.com", "smtp://"]) {
    assert.throws(() => loadConfig({ SMTP_URL: bad }), /^ConfigError: Invalid SMTP_URL/, bad);
  }
});

Deno.test("loadConfig - a refused SMTP_URL does not echo its password", () => {
  assert.throws(
    () => loadConfig({ SMTP_URL: "http://me:secret@mail.example.com" }),
    (error: unknown) => error instanceof ConfigError && !error.message.includes("secret"),
  );
});

Deno.test("loadConfig - SMTP_FROM has a default and must be one address line", () => {
  assert.equal(loadConfig({}).mailFrom, "Salon <noreply@localhost>");
  assert.equal(
    loadConfig({ SMTP_FROM: "Chat <no@chat.example.com>" }).mailFrom,
    "Chat <no@chat.example.com>",
  );
  for (const bad of ["nobody", "a@b.c\r\nBcc: victim@example.com"]) {
    assert.throws(() => loadConfig({ SMTP_FROM: bad }), /Invalid SMTP_FROM/, bad);
  }
});
