/** Deleting an account: its password checked, refused while it owns a server, sessions ended. */
import type { UserRecord } from "../../db/store.ts";
import { OwnsServersError } from "../../db/store.ts";
import { Conflict } from "../errors.ts";
import type { AccountDeps, Authenticated } from "./account_deps.ts";

export interface AccountDeletionInput {
  password?: unknown;
}

export class AccountDeletion {
  constructor(
    readonly deps: AccountDeps,
    /** Told when an account is gone, with the servers it was a member of (for their members). */
    readonly onAccountDeleted: (user: UserRecord, serverIds: string[]) => void,
  ) {}

  /**
   * Deletes the account after checking its password (`401 invalid_credentials` if wrong);
   * `409 owns_servers` while the user owns a server. Every session ends and its sockets close;
   * the user's messages stay, shown as by "Deleted user".
   */
  async delete(auth: Authenticated, input: AccountDeletionInput, ip: string): Promise<void> {
    const { user, sessionId } = auth;
    const store = this.deps.store;
    await this.deps.passwords.confirm(auth, input.password, ip, "account_deletion_failed");
    const sessions = await store.listSessionsOf(user.id);
    const servers = await store.listServersOf(user.id);
    try {
      if (servers.some((server) => server.ownerId === user.id)) {
        throw new OwnsServersError(user.id);
      }
      await store.deleteUser(user.id);
    } catch (error) {
      if (!(error instanceof OwnsServersError)) throw error;
      throw new Conflict(
        "owns_servers",
        "You own servers: delete them or hand them over before deleting your account.",
      );
    }
    this.deps.log.record({
      event: "account_deleted",
      userId: user.id,
      username: user.username,
      ip,
      sessionId,
    });
    for (const session of sessions) this.deps.onSessionEnded(session.id);
    this.onAccountDeleted(user, servers.map((server) => server.id));
  }
}
