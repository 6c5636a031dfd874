/** lib/accounts/mailer.ts against a real SMTP server (npm smtp-server) on a loopback port. */
import assert from "node:assert/strict";
import { createMailer } from "../lib/accounts/mailer.ts";
import { startSmtpServer } from "./helpers/smtp_server.ts";

Deno.test("createMailer - delivers a plain-text message with its sender and subject", async () => {
  const smtp = await startSmtpServer();
  try {
    const mailer = createMailer(smtp.url, "Salon <noreply@salon.test>");
    const long = `https://chat.example.com/password-reset/${"a".repeat(43)}`;
    await mailer.send({
      to: "ada@example.com",
      subject: "Reset your Salon password",
      text: `Hello Ada,\n\n${long}\n\nÇa marche.`,
    });
    const [mail] = await smtp.waitFor(1);
    assert.equal(mail.from, "noreply@salon.test");
    assert.deepEqual(mail.to, ["ada@example.com"]);
    assert.equal(mail.headers.subject, "Reset your Salon password");
    assert.match(mail.headers.from, /noreply@salon\.test/);
    // The link survives the transfer encoding whole (long lines are wrapped by the encoding).
    assert.ok(mail.text.includes(long), mail.text);
    assert.ok(mail.text.includes("Ça marche."));
  } finally {
    await smtp.close();
  }
});

Deno.test("createMailer - a server that is not there rejects the send", async () => {
  const smtp = await startSmtpServer();
  const url = smtp.url;
  await smtp.close();
  const mailer = createMailer(url, "noreply@salon.test");
  await assert.rejects(mailer.send({ to: "ada@example.com", subject: "x", text: "x" }));
});
