/**
 * The e-mail address a user may give for password reset links (`PATCH /api/me {email}`).
 *
 * Only the shape is checked (one "@", a dot in the domain, no spaces or controls, at most
 * EMAIL_MAX_LENGTH): whether mail reaches it is learnt by sending, never promised here.
 */
import { Invalid } from "../errors.ts";
import { EMAIL_MAX_LENGTH } from "../limits.ts";

const EMAIL_SHAPE = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** The trimmed address, or null for "none" (`null` or `""`); `400 invalid_email` otherwise. */
export function cleanEmail(raw: unknown): string | null {
  if (raw === null || raw === "") return null;
  const email = typeof raw === "string" ? raw.trim() : undefined;
  if (email === undefined || email.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw new Invalid(
      "invalid_email",
      `The e-mail address must look like name@example.com (at most ${EMAIL_MAX_LENGTH} characters), or be empty to remove it.`,
      "email",
    );
  }
  return email;
}
