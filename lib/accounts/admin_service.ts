/**
 * Instance administration (API.md "Accounts"): the users named by `ADMIN_USERNAMES` may list
 * every account, suspend or reinstate one, and make a password reset link for one.
 *
 * A suspension ends the user's sessions at once (their sockets close) and keeps them out until
 * lifted: login and every authenticated request answer `403 suspended` (sign_in.ts).
 * Administrators cannot be suspended: they are named by the configuration, so locking one out
 * is a change of ADMIN_USERNAMES, not of the data.
 */
import type { Store, UserRecord } from "../../db/store.ts";
import { endSessionsOf } from "./end_sessions.ts";
import { Forbidden, Invalid, NotFound } from "../errors.ts";
import { ADMIN_USERS_PAGE_DEFAULT, ADMIN_USERS_PAGE_MAX } from "../limits.ts";
import type { PasswordResetService } from "./password_reset_service.ts";
import { toPublicUser } from "../public_user.ts";
import type { PublicUser } from "../public_user.ts";
import { NO_SECURITY_LOG } from "./security_log.ts";
import type { SecurityLog } from "./security_log.ts";
import { normalizeUsername } from "../text.ts";

export interface AdminServiceOptions {
  store: Store;
  /** Usernames of the instance administrators (lowercase). */
  admins: readonly string[];
  resets: PasswordResetService;
  /** Told of each session a suspension ends, so its sockets can be closed. */
  onSessionEnded?: (sessionId: string) => void;
  securityLog?: SecurityLog;
}

/** A user as administrators see them. */
export interface AdminUserView extends PublicUser {
  suspended: boolean;
}

/** A page of users in username order; `next` goes back as `after` for the following page. */
export interface AdminUserPage {
  users: AdminUserView[];
  next: string | null;
}

/** The query of `GET /api/admin/users`, as received. */
export interface AdminUserQuery {
  after?: string;
  limit?: string;
}

export class AdminService {
  #store: Store;
  #admins: ReadonlySet<string>;
  #resets: PasswordResetService;
  #onSessionEnded: (sessionId: string) => void;
  #log: SecurityLog;

  constructor(options: AdminServiceOptions) {
    this.#store = options.store;
    this.#admins = new Set(options.admins);
    this.#resets = options.resets;
    this.#onSessionEnded = options.onSessionEnded ?? (() => {});
    this.#log = options.securityLog ?? NO_SECURITY_LOG;
  }

  /** Whether `user` is an instance administrator. */
  isAdmin(user: Pick<UserRecord, "username">): boolean {
    return this.#admins.has(user.username);
  }

  /** One page of every account, in username order (`400 invalid_cursor`/`invalid_limit`). */
  async listUsers(actor: UserRecord, query: AdminUserQuery): Promise<AdminUserPage> {
    this.#requireAdmin(actor);
    const after = parseCursor(query.after);
    const limit = parseLimit(query.limit);
    // One more than asked tells whether another page follows, without a count.
    const users = await this.#store.listUsers(after, limit + 1);
    const page = users.slice(0, limit);
    return {
      users: page.map(toAdminView),
      next: users.length > limit ? page[page.length - 1].username : null,
    };
  }

  /** Suspends or reinstates a user; a suspension ends their sessions at once. */
  async setSuspended(
    actor: UserRecord,
    userId: string,
    suspended: unknown,
    ip: string,
  ): Promise<AdminUserView> {
    this.#requireAdmin(actor);
    if (typeof suspended !== "boolean") {
      throw new Invalid("invalid_suspended", "`suspended` must be true or false.", "suspended");
    }
    const target = await this.#findUser(userId);
    if (suspended && this.isAdmin(target)) {
      throw new Forbidden(
        "not_allowed",
        "Administrators cannot be suspended: remove them from ADMIN_USERNAMES first.",
      );
    }
    const updated = await this.#store.setSuspended(target.id, suspended);
    if (!updated) throw noSuchUser();
    const ended = suspended
      ? await endSessionsOf(this.#store, target.id, this.#onSessionEnded)
      : [];
    this.#log.record({
      event: suspended ? "user_suspended" : "user_reinstated",
      userId: target.id,
      username: target.username,
      actorId: actor.id,
      ip,
    });
    for (const sessionId of ended) {
      this.#log.record({
        event: "session_revoked",
        userId: target.id,
        username: target.username,
        sessionId,
        ip,
        reason: "suspended",
      });
    }
    return toAdminView(updated);
  }

  /** A one-use password reset link for a user, on the site at `origin`. */
  async createResetLink(
    actor: UserRecord,
    userId: string,
    origin: string,
    ip: string,
  ): Promise<string> {
    this.#requireAdmin(actor);
    const target = await this.#findUser(userId);
    const url = await this.#resets.issue(target, origin);
    this.#log.record({
      event: "password_reset_link_created",
      userId: target.id,
      username: target.username,
      actorId: actor.id,
      ip,
    });
    return url;
  }

  #requireAdmin(actor: UserRecord): void {
    if (!this.isAdmin(actor)) {
      throw new Forbidden("forbidden", "Only the instance's administrators may do this.");
    }
  }

  async #findUser(userId: string): Promise<UserRecord> {
    const user = await this.#store.findUserById(userId);
    if (!user) throw noSuchUser();
    return user;
  }
}

/** The admin view of a stored user. */
export function toAdminView(user: UserRecord): AdminUserView {
  return { ...toPublicUser(user), suspended: user.suspended === true };
}

function noSuchUser(): NotFound {
  return new NotFound("not_found", "No such user.");
}

/** A cursor is the last username of the previous page. */
function parseCursor(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  try {
    return normalizeUsername(raw);
  } catch {
    throw new Invalid(
      "invalid_cursor",
      `\`after\` must be a \`next\` value from a previous page: got "${raw.slice(0, 40)}".`,
    );
  }
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return ADMIN_USERS_PAGE_DEFAULT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > ADMIN_USERS_PAGE_MAX) {
    throw new Invalid(
      "invalid_limit",
      `\`limit\` must be an integer from 1 to ${ADMIN_USERS_PAGE_MAX}: got "${raw.slice(0, 20)}".`,
    );
  }
  return limit;
}
