/**
 * Two-factor authentication, the pure part: TOTP secrets and codes (RFC 6238: 6 digits, 30 s
 * steps, HMAC-SHA-1, what every authenticator app reads from an `otpauth://` URL) and
 * recovery codes. No storage and no clock of its own: callers pass the time and the last step
 * used, so the same code can be refused a second time on any instance.
 *
 * The HOTP arithmetic is otpauth's (a well-kept implementation); what is decided here is the
 * policy around it: one step of drift either side, a step accepted only if it is later than
 * the last one used, comparisons in constant time, and recovery codes kept only as hashes.
 */
import { HOTP, Secret, TOTP } from "otpauth";

/** Digits of a TOTP code. */
export const TOTP_DIGITS = 6;
/** Seconds each TOTP code lasts. */
export const TOTP_PERIOD_S = 30;
/** Steps accepted either side of the current one (a phone's clock a little off). */
export const TOTP_DRIFT_STEPS = 1;
/** Random bytes of a TOTP secret (RFC 4226 recommends 160 bits). */
export const TOTP_SECRET_BYTES = 20;
/** Recovery codes handed out when two-factor authentication is turned on. */
export const RECOVERY_CODE_COUNT = 10;
/** Characters of a recovery code (5 random bits each: 60 bits a code). */
export const RECOVERY_CODE_LENGTH = 12;

const ALGORITHM = "SHA1";
/** Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives. */
const RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const RECOVERY_GROUP = 4;

/** A new TOTP secret: TOTP_SECRET_BYTES random bytes, in base32 as authenticator apps take it. */
export function generateTotpSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOTP_SECRET_BYTES));
  return new Secret({ buffer: bytes.buffer }).base32;
}

/** The `otpauth://totp/...` URL an authenticator app scans (as a QR code) or is given. */
export function totpUrl(secret: string, account: string, issuer: string): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
  }).toString();
}

/** The TOTP time step (counter) at `nowMs`. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S);
}

/** The code of `secret` at time step `step`. */
export function totpCodeAt(secret: string, step: number): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: TOTP_DIGITS,
    counter: step,
  });
}

/**
 * The step `code` belongs to, if it is the code of `secret` within TOTP_DRIFT_STEPS of `nowMs`
 * and later than `lastUsedStep` (null: never used); otherwise null. The caller must record the
 * step returned, so the same code (or an earlier one) is refused next time.
 */
export function matchTotp(
  secret: string,
  code: string,
  nowMs: number,
  lastUsedStep: number | null,
): number | null {
  if (!isTotpCode(code)) return null;
  const current = totpStep(nowMs);
  let matched: number | null = null;
  // Every step is computed and compared, so the time taken says nothing of which one matched.
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
    const fresh = lastUsedStep === null || step > lastUsedStep;
    if (equalInConstantTime(totpCodeAt(secret, step), code) && fresh && matched === null) {
      matched = step;
    }
  }
  return matched;
}

/** Whether a normalised code has the shape of a TOTP code (as opposed to a recovery code). */
export function isTotpCode(code: string): boolean {
  return code.length === TOTP_DIGITS && /^[0-9]+$/.test(code);
}

/**
 * A code as typed, made comparable: spaces and hyphens dropped, lowercase, and the letters
 * Crockford's base32 reads as digits (o → 0, i and l → 1) turned into them.
 */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s-]+/g, "").toLowerCase().replace(/o/g, "0").replace(/[il]/g, "1");
}

/** Fresh recovery codes, each shown to the user once, as `xxxx-xxxx-xxxx`. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, generateRecoveryCode);
}

function generateRecoveryCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RECOVERY_CODE_LENGTH));
  // 256 is a multiple of 32: taking 5 bits of each byte is unbiased.
  const chars = [...bytes].map((byte) => RECOVERY_ALPHABET[byte & 31]).join("");
  const groups = chars.match(new RegExp(`.{1,${RECOVERY_GROUP}}`, "g")) ?? [];
  return groups.join("-");
}

/** Whether a normalised code has the shape of a recovery code. */
export function isRecoveryCode(code: string): boolean {
  return code.length === RECOVERY_CODE_LENGTH &&
    [...code].every((char) => RECOVERY_ALPHABET.includes(char));
}

/**
 * The stored form of a recovery code: the SHA-256 of its normalised form, in hex. A fast hash
 * is enough: a code has 60 random bits, far beyond what guessing at any speed reaches.
 */
export async function hashRecoveryCode(code: string): Promise<string> {
  const bytes = new TextEncoder().encode(normalizeCode(code));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The index of `hash` in `hashes`, or -1; every entry is compared, in constant time. */
export function findRecoveryCodeHash(hashes: readonly string[], hash: string): number {
  let found = -1;
  hashes.forEach((stored, index) => {
    if (equalInConstantTime(stored, hash) && found === -1) found = index;
  });
  return found;
}

/**
 * Compares two strings without stopping at the first difference. Their lengths are not
 * secret here (a code's length is public), so a length mismatch returns at once.
 */
export function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
