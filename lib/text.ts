/**
 * Input checks for user-written text (usernames, passwords, names, bios).
 *
 * Text reaches us from forms and JSON alike; these functions are the one place that decides
 * what is acceptable, and each failure names the field and the rule.
 */
import { type ErrorCode, Invalid } from "./errors.ts";
import {
  BIO_MAX_LENGTH,
  CHANNEL_NAME_MAX_LENGTH,
  DISPLAY_NAME_MAX_LENGTH,
  GROUP_DM_NAME_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  NONCE_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  SERVER_NAME_MAX_LENGTH,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PATTERN,
} from "./limits.ts";

// C0/C1 controls, and the bidi overrides/isolates that can disguise a name ("Trojan Source").
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAKS = /[\n\r\t]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** Counts Unicode code points, which is what a person calls characters. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Lowercases and checks a username. Accepts any case, as the API promises. */
export function normalizeUsername(raw: unknown): string {
  if (typeof raw !== "string") {
    throw new Invalid("invalid_username", "Username is required.", "username");
  }
  const username = raw.trim().toLowerCase();
  if (
    username.length < USERNAME_MIN_LENGTH || username.length > USERNAME_MAX_LENGTH ||
    !USERNAME_PATTERN.test(username)
  ) {
    throw new Invalid(
      "invalid_username",
      `Username must be ${USERNAME_MIN_LENGTH}–${USERNAME_MAX_LENGTH} characters of a–z, 0–9, "_", "." or "-".`,
      "username",
    );
  }
  return username;
}

/** Checks a password's type and length; its content is the user's business. */
export function checkPassword(raw: unknown): string {
  if (typeof raw !== "string" || !raw.isWellFormed()) {
    throw new Invalid("invalid_password", "Password is required.", "password");
  }
  const length = characterCount(raw);
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new Invalid(
      "invalid_password",
      `Password must be ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters: it has ${length}.`,
      "password",
    );
  }
  return raw;
}

interface TextRule {
  field: string;
  label: string;
  code: ErrorCode;
  min: number;
  max: number;
  multiline: boolean;
}

/** Trims, NFC-normalises and checks one text field against its rule. */
function cleanText(raw: unknown, rule: TextRule): string {
  if (typeof raw !== "string") {
    throw new Invalid(rule.code, `${rule.label} must be text.`, rule.field);
  }
  if (!raw.isWellFormed()) {
    throw new Invalid(rule.code, `${rule.label} contains invalid Unicode.`, rule.field);
  }
  const text = raw.normalize("NFC").replace(/\r\n?/g, "\n").trim();
  if (
    CONTROL.test(text) || BIDI_CONTROL.test(text) || (!rule.multiline && LINE_BREAKS.test(text))
  ) {
    throw new Invalid(rule.code, `${rule.label} contains control characters.`, rule.field);
  }
  const length = characterCount(text);
  if (length < rule.min || length > rule.max) {
    throw new Invalid(
      rule.code,
      rule.min > 0
        ? `${rule.label} must be ${rule.min}–${rule.max} characters: it has ${length}.`
        : `${rule.label} must be at most ${rule.max} characters: it has ${length}.`,
      rule.field,
    );
  }
  return text;
}

/** A display name: 1–64 characters on one line. */
export function cleanDisplayName(raw: unknown): string {
  return cleanText(raw, {
    field: "displayName",
    label: "Display name",
    code: "invalid_display_name",
    min: 1,
    max: DISPLAY_NAME_MAX_LENGTH,
    multiline: false,
  });
}

/** A bio: up to 500 characters, line breaks allowed. */
export function cleanBio(raw: unknown): string {
  return cleanText(raw, {
    field: "bio",
    label: "Bio",
    code: "invalid_bio",
    min: 0,
    max: BIO_MAX_LENGTH,
    multiline: true,
  });
}

/** A server name: 1–100 characters on one line. */
export function cleanServerName(raw: unknown): string {
  return cleanText(raw, {
    field: "name",
    label: "Server name",
    code: "invalid_server_name",
    min: 1,
    max: SERVER_NAME_MAX_LENGTH,
    multiline: false,
  });
}

/** A group DM's name: up to GROUP_DM_NAME_MAX_LENGTH characters on one line ("": none). */
export function cleanGroupDmName(raw: unknown): string {
  return cleanText(raw, {
    field: "name",
    label: "Group name",
    code: "invalid_channel_name",
    min: 0,
    max: GROUP_DM_NAME_MAX_LENGTH,
    multiline: false,
  });
}

/**
 * A channel name, Discord-style: lowercased, spaces become dashes, then 1–32 letters, digits,
 * "_" or "-" ("Off Topic" → "off-topic").
 */
export function cleanChannelName(raw: unknown): string {
  const text = cleanText(raw, {
    field: "name",
    label: "Channel name",
    code: "invalid_channel_name",
    min: 1,
    max: CHANNEL_NAME_MAX_LENGTH,
    multiline: false,
  });
  const name = text.toLowerCase().replace(/\s+/g, "-");
  if (!/^[\p{L}\p{N}_-]+$/u.test(name)) {
    throw new Invalid(
      "invalid_channel_name",
      'Channel name may only use letters, digits, "_" and "-".',
      "name",
    );
  }
  return name;
}

/**
 * Message content: 1–4000 characters after trimming. Line breaks and tabs are kept; other
 * control characters and broken Unicode are refused. Unlike names it is not NFC-normalised:
 * people's text is stored as they typed it.
 */
export function cleanMessageContent(raw: unknown): string {
  if (typeof raw !== "string") {
    throw new Invalid("invalid_content", "Message content must be text.", "content");
  }
  if (!raw.isWellFormed()) {
    throw new Invalid("invalid_content", "Message contains invalid Unicode.", "content");
  }
  const text = raw.replace(/\r\n?/g, "\n").trim();
  if (CONTROL.test(text)) {
    throw new Invalid("invalid_content", "Message contains control characters.", "content");
  }
  const length = characterCount(text);
  if (length === 0) throw new Invalid("empty_content", "Message is empty.", "content");
  if (length > MESSAGE_MAX_LENGTH) {
    throw new Invalid(
      "content_too_long",
      `Message must be at most ${MESSAGE_MAX_LENGTH} characters: it has ${length}.`,
      "content",
    );
  }
  return text;
}

/** A send's nonce: optional over HTTP, 1–64 printable ASCII characters when given. */
export function checkNonce(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "string" || !/^[\x21-\x7e]+$/.test(raw) || raw.length > NONCE_MAX_LENGTH) {
    throw new Invalid(
      "invalid_nonce",
      `nonce must be 1–${NONCE_MAX_LENGTH} printable ASCII characters.`,
      "nonce",
    );
  }
  return raw;
}
