/**
 * Changing the address password reset links are mailed to: the current password checked first,
 * since whoever sets it can take the account over through a reset.
 */
import { NotFound } from "../errors.ts";
import type { AccountDeps, Authenticated } from "./account_deps.ts";
import { cleanEmail } from "./email_address.ts";

export interface EmailChangeInput {
  /** The new address; null or "" removes it. */
  email?: unknown;
  currentPassword?: unknown;
}

export class EmailChangeService {
  constructor(readonly deps: AccountDeps) {}

  /**
   * Sets or removes the address after checking the current password (`401
   * invalid_credentials` if wrong, counted as a failed login); returns the address.
   */
  async change(auth: Authenticated, input: EmailChangeInput, ip: string): Promise<string | null> {
    const { user, sessionId } = auth;
    const email = cleanEmail(input.email);
    await this.deps.passwords.confirm(auth, input.currentPassword, ip, "email_change_failed");
    if (!await this.deps.store.setEmail(user.id, email)) {
      throw new NotFound("not_found", "No such user.");
    }
    this.deps.log.record({
      event: "email_changed",
      userId: user.id,
      username: user.username,
      ip,
      sessionId,
    });
    return email;
  }
}
