/**
 * Password hashing with bcrypt (bcryptjs).
 *
 * bcrypt reads only the first 72 bytes of its input, and a 128-character password can be 512
 * bytes of UTF-8. So the password is first hashed with SHA-256 and base64-encoded (44 bytes):
 * every character counts and no input can exceed bcrypt's limit.
 */
import bcrypt from "bcryptjs";

async function prehash(password: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(password));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** Hashes a password at the given bcrypt cost. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  return await bcrypt.hash(await prehash(password), cost);
}

/** True if `password` matches `hash`. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return await bcrypt.compare(await prehash(password), hash);
}
