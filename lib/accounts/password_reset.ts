/**
 * Password reset tokens: what a reset link carries, and what the store keeps of it.
 *
 * A token is 32 random bytes (base64url, 43 characters): unguessable, so no attempt limit is
 * needed. The store keeps only its SHA-256, so someone who reads the database (a backup, a
 * leaked dump) cannot use a pending link; a fast hash is enough because the token has 256 bits
 * of entropy, unlike a password.
 */
import { PASSWORD_RESET_TTL_MS } from "../limits.ts";

/** A new token and the hash to store for it. */
export interface IssuedResetToken {
  token: string;
  tokenHash: string;
  expiresAt: Date;
}

const TOKEN_BYTES = 32;
/** base64url of TOKEN_BYTES bytes, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Creates a token that expires PASSWORD_RESET_TTL_MS after `now`. */
export async function issueResetToken(now: number): Promise<IssuedResetToken> {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  return {
    token,
    tokenHash: await hashResetToken(token),
    expiresAt: new Date(now + PASSWORD_RESET_TTL_MS),
  };
}

/** Whether `raw` has the shape of a token (anything else is not looked up). */
export function isResetTokenShaped(raw: unknown): raw is string {
  return typeof raw === "string" && TOKEN_PATTERN.test(raw);
}

/** The SHA-256 of a token, hex: the only form the store sees. */
export async function hashResetToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** Whether a token expiring at `expiresAt` may still be used at `now`. */
export function isResetUsable(expiresAt: Date, now: number): boolean {
  return now < expiresAt.getTime();
}

/** The reset page's path for a token (routes/pages/password_reset_page.tsx serves it). */
export function resetPath(token: string): string {
  return `/password-reset/${token}`;
}

/** The absolute link for a token on the site at `origin` (`https://chat.example.com`). */
export function resetUrl(origin: string, token: string): string {
  return new URL(resetPath(token), origin).href;
}
