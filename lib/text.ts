/**
 * Input checks for user-written text (usernames, passwords, names, bios).
 *
 * Text reaches us from forms and JSON alike; these functions are the one place that decides
 * what is acceptable, and each failure names the field and the rule.
 */
import { Invalid } from "./errors.ts";
import {
  BIO_MAX_LENGTH,
  DISPLAY_NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
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
  code: string;
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
