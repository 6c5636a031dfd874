/**
 * Outgoing e-mail over SMTP (`SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or
 * `smtps://user:pass@mail.example.com`), through nodemailer.
 *
 * One connection per message (nodemailer's default, unpooled): resets are rare, and nothing
 * stays open between them to be closed at shutdown or to go stale.
 */
// @ts-types="@types/nodemailer"
import nodemailer from "nodemailer";

/** A plain-text message to one address. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail; rejects if the SMTP server refuses it or cannot be reached. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** How long a send may take in all before it fails (a dead server must not hold a request). */
const SMTP_TIMEOUT_MS = 10_000;

/**
 * A mailer for the SMTP server at `smtpUrl`, sending as `from`.
 *
 * @example
 * ```ts
 * const mailer = createMailer("smtp://127.0.0.1:2525", "Salon <noreply@example.com>");
 * await mailer.send({ to: "ada@example.com", subject: "Hi", text: "Hello" });
 * ```
 */
export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send({ to, subject, text }) {
      await transport.sendMail({ from, to, subject, text });
    },
  };
}
