/**
 * A real SMTP server (npm smtp-server) on a free loopback port, for tests of the mail Salon
 * sends: it accepts every message without TLS or login and keeps what arrived, decoded.
 */
// @ts-types="@types/smtp-server"
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { eventually } from "./wait.ts";

/** One message as it arrived: its envelope, headers and decoded text body. */
export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  text: string;
}

/** A running test SMTP server. */
export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for `SMTP_URL`. */
  url: string;
  messages: ReceivedMail[];
  /** Waits until `count` messages have arrived (fails after the wait of `eventually`). */
  waitFor(count: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** Starts the server; close it at the end of the test. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = new TextDecoder().decode(concat(chunks));
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          ...parseMessage(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(count) {
      await eventually(() => messages.length >= count, `${count} e-mail(s)`);
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/** Splits a single-part message into lowercased headers (unfolded) and its decoded body. */
function parseMessage(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const body = raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, text: decodeBody(body, headers["content-transfer-encoding"] ?? "7bit") };
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case "base64":
      return new TextDecoder().decode(
        Uint8Array.from(atob(body.replace(/\s+/g, "")), (char) => char.charCodeAt(0)),
      );
    case "quoted-printable": {
      const bytes = body.replace(/=\r\n/g, "").replace(
        /=([0-9A-F]{2})/gi,
        (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
      );
      return new TextDecoder().decode(Uint8Array.from(bytes, (char) => char.charCodeAt(0)));
    }
    default:
      return body;
  }
}
