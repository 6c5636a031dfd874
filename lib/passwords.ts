/**
 * Password hashing with bcrypt (bcryptjs).
 *
 * bcrypt reads only the first 72 bytes of its input, and a 128-character password can be 512
 * bytes of UTF-8. So the password is first hashed with SHA-256 and base64-encoded (44 bytes):
 * every character counts and no input can exceed bcrypt's limit.
 *
 * These functions run on the calling thread; the app hashes on a worker thread instead
 * (`lib/password_worker_pool.ts`), because bcryptjs is plain JavaScript that would hold the
 * event loop, and every socket with it, for the whole hash.
 */
import bcrypt from "bcryptjs";

/** Hashes and checks passwords at one bcrypt cost. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Stops any thread it started; pending calls fail. */
  close(): void;
}

/** Thrown when the password thread's queue is full (PASSWORD_QUEUE_MAX): the server is busy. */
export class PasswordQueueFull extends Error {
  constructor(queued: number) {
    super(`The password queue is full: ${queued} jobs are waiting`);
    this.name = "PasswordQueueFull";
  }
}

async function prehash(password: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(password));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** Hashes a password at the given bcrypt cost. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hashSync(await prehash(password), cost);
}

/** True if `password` matches `hash`. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compareSync(await prehash(password), hash);
}

/** Hashing on the calling thread (where no worker thread can be had). */
export function hasherOnThisThread(cost: number): PasswordHasher {
  return {
    hash: (password) => hashPassword(password, cost),
    verify: verifyPassword,
    close: () => {},
  };
}
