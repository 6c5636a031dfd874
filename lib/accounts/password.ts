/** Changing a signed-in user's password: the current one checked, other sessions ended. */
import { NotFound } from "../errors.ts";
import { checkPassword } from "../text.ts";
import type { AccountDeps, Authenticated } from "./account_deps.ts";
import { checkPasswordPolicy } from "./password_policy.ts";
import type { SessionService } from "./sessions.ts";

export interface PasswordChangeInput {
  currentPassword?: unknown;
  newPassword?: unknown;
}

export class PasswordService {
  constructor(readonly deps: AccountDeps, readonly sessions: SessionService) {}

  /**
   * Changes the password after checking the current one (`401 invalid_credentials` if wrong),
   * then revokes every other session of the user and closes their sockets. The current
   * session stays.
   */
  async change(auth: Authenticated, input: PasswordChangeInput, ip: string): Promise<void> {
    const { user, sessionId } = auth;
    const newPassword = checkPassword(input.newPassword);
    checkPasswordPolicy(newPassword, user.username);
    const guarded = this.deps.passwords;
    await guarded.confirm(auth, input.currentPassword, ip, "password_change_failed");
    const hash = await guarded.guard.passwordJob(ip, () => guarded.hash(newPassword));
    if (!await this.deps.store.setPasswordHash(user.id, hash)) {
      throw new NotFound("not_found", "No such user.");
    }
    this.deps.log.record({
      event: "password_changed",
      userId: user.id,
      username: user.username,
      ip,
      sessionId,
    });
    await this.sessions.revokeOthers(auth, ip, "password_changed");
  }
}
