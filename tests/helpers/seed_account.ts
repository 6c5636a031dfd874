/**
 * An account written to the store directly (password "correct horse"), as an operator's first
 * accounts are: before registration is restricted, or before ADMIN_USERNAMES lists the name.
 */
import { hashPassword } from "../../lib/passwords.ts";
import type { TestApp } from "./test_app.ts";

/** Creates `username` in the app's store; returns its id. */
export async function seedAccount(app: TestApp, username: string): Promise<string> {
  const id = crypto.randomUUID();
  await app.testStore.store.createUser({
    id,
    username,
    displayName: username,
    bio: "",
    passwordHash: await hashPassword("correct horse", 4),
    avatarVersion: null,
    createdAt: new Date(),
  });
  return id;
}
