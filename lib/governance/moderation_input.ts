/** Input checks for kicks, bans and time-outs: the reason, the time-out's end, the purge window. */
import { Invalid } from "../errors.ts";
import { AUDIT_REASON_MAX_LENGTH, BAN_DELETE_MESSAGES_MAX_S, TIMEOUT_MAX_MS } from "../limits.ts";
import { characterCount } from "../text.ts";

// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** An audit reason: one line, trimmed, at most AUDIT_REASON_MAX_LENGTH; absent or "" → null. */
export function cleanReason(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "string") {
    throw new Invalid("invalid_reason", "reason must be a string.", "reason");
  }
  const reason = raw.trim().normalize("NFC");
  if (characterCount(reason) > AUDIT_REASON_MAX_LENGTH) {
    throw new Invalid(
      "invalid_reason",
      `The reason must be at most ${AUDIT_REASON_MAX_LENGTH} characters.`,
      "reason",
    );
  }
  if (CONTROL.test(reason)) {
    throw new Invalid("invalid_reason", "The reason must be one line of text.", "reason");
  }
  return reason === "" ? null : reason;
}

/**
 * A time-out's end: an ISO time in the future, at most TIMEOUT_MAX_MS ahead of `now`; null
 * lifts the time-out. The field must be given (a PATCH without it changes nothing).
 */
export function checkTimeoutUntil(raw: unknown, now: number): Date | null {
  if (raw === null) return null;
  const until = typeof raw === "string" && ISO_TIME.test(raw) ? new Date(raw) : null;
  if (!until || Number.isNaN(until.getTime())) {
    throw new Invalid(
      "invalid_timeout",
      "timeoutUntil must be an ISO-8601 time (e.g. 2030-01-01T00:00:00Z), or null to lift it.",
      "timeoutUntil",
    );
  }
  if (until.getTime() <= now) {
    throw new Invalid("invalid_timeout", "timeoutUntil must be in the future.", "timeoutUntil");
  }
  if (until.getTime() > now + TIMEOUT_MAX_MS) {
    throw new Invalid(
      "invalid_timeout",
      `A time-out lasts at most ${TIMEOUT_MAX_MS / 86_400_000} days.`,
      "timeoutUntil",
    );
  }
  return until;
}

/** A date and time with a zone (what `Date#toISOString` writes, offsets allowed). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** How far back a ban deletes the user's messages: 0 (absent) to BAN_DELETE_MESSAGES_MAX_S. */
export function checkDeleteMessagesSeconds(raw: unknown): number {
  if (raw === undefined || raw === null) return 0;
  if (
    typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 0 ||
    raw > BAN_DELETE_MESSAGES_MAX_S
  ) {
    throw new Invalid(
      "invalid_delete_messages",
      `deleteMessagesSeconds must be a whole number from 0 to ${BAN_DELETE_MESSAGES_MAX_S}.`,
      "deleteMessagesSeconds",
    );
  }
  return raw;
}
