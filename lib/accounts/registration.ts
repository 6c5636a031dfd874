/**
 * Registration: `REGISTRATION` applied (open, by invite, closed), the username and password
 * rules and policy, the per-address count taken before any work, and the new account's first
 * session.
 */
import type { UserRecord } from "../../db/store.ts";
import { UsernameTakenError } from "../../db/store.ts";
import type { RegistrationMode } from "../config.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.ts";
import { INVITE_CODE_INPUT_MAX } from "../limits.ts";
import { checkPassword, cleanDisplayName, normalizeUsername } from "../text.ts";
import { isUsable } from "../governance/invite_shape.ts";
import { clientInfo } from "./account_deps.ts";
import type { AccountDeps, ClientInfo } from "./account_deps.ts";
import { checkPasswordPolicy } from "./password_policy.ts";
import type { AuthResult, SessionService } from "./sessions.ts";

export interface RegisterInput {
  username?: unknown;
  password?: unknown;
  displayName?: unknown;
  /** Required with `REGISTRATION=invite`. */
  inviteCode?: unknown;
}

export interface RegistrationOptions {
  /** Who may register. */
  registration: RegistrationMode;
  /** Joins a new user to an invite's server (`REGISTRATION=invite`). */
  joinInvite: (user: UserRecord, code: string) => Promise<unknown>;
  /**
   * `ADMIN_USERNAMES`: refused as taken, so nobody registers into admin rights listed ahead of
   * the account.
   */
  admins: readonly string[];
}

export class RegistrationService {
  constructor(
    readonly deps: AccountDeps,
    readonly sessions: SessionService,
    readonly options: RegistrationOptions,
  ) {}

  /** Creates an account and logs it in. */
  async register(input: RegisterInput, client: ClientInfo | string): Promise<AuthResult> {
    const { ip, userAgent } = clientInfo(client);
    const inviteCode = await this.#admit(input, ip);
    const username = normalizeUsername(input.username);
    const password = checkPassword(input.password);
    checkPasswordPolicy(password, username);
    const displayName = input.displayName === undefined || input.displayName === ""
      ? username
      : cleanDisplayName(input.displayName);
    const { store, log } = this.deps;
    const guarded = this.deps.passwords;
    // The address's slot first (a refusal for too many at once is not counted), then the count,
    // before any work and failures included: concurrency cannot get past the limit.
    const passwordHash = await guarded.throttled(
      { event: "registration_throttled", username, ip },
      () =>
        guarded.guard.passwordJob(ip, async () => {
          await guarded.guard.beginRegistration(ip);
          // A taken name is refused before the bcrypt work (a flood of them stalled every login).
          if (this.#isReserved(username) || await store.findUserByUsername(username)) {
            throw usernameTaken();
          }
          return await guarded.hash(password);
        }),
    );
    const user: UserRecord = {
      id: crypto.randomUUID(),
      username,
      displayName,
      bio: "",
      passwordHash,
      avatarVersion: null,
      createdAt: new Date(this.deps.now()),
    };
    try {
      await store.createUser(user);
    } catch (error) {
      if (error instanceof UsernameTakenError) throw usernameTaken();
      throw error;
    }
    if (inviteCode !== undefined) await this.#joinInviteIfStill(user, inviteCode);
    const result = await this.sessions.start(user, userAgent);
    log.record({ event: "registered", userId: user.id, username, ip });
    return result;
  }

  /** Whether `username` is an administrator's (it must exist before it is listed). */
  #isReserved(username: string): boolean {
    return this.options.admins.includes(username);
  }

  /** An invite deleted since `#admit` checked it leaves the new account without a server. */
  async #joinInviteIfStill(user: UserRecord, code: string): Promise<void> {
    try {
      await this.options.joinInvite(user, code);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
    }
  }

  /**
   * Applies `REGISTRATION`: refuses when closed, and under `invite` returns the (existing)
   * invite code the body must carry, checked before any password work.
   */
  async #admit(input: RegisterInput, ip: string): Promise<string | undefined> {
    const registration = this.options.registration;
    if (registration === "open") return undefined;
    const refused = (reason: string) =>
      this.deps.log.record({ event: "registration_refused", ip, reason });
    if (registration === "closed") {
      refused("registration_closed");
      throw new Forbidden("registration_closed", "This server does not take new accounts.");
    }
    const code = input.inviteCode;
    const invite = typeof code === "string" && code.length <= INVITE_CODE_INPUT_MAX
      ? await this.deps.store.findInvite(code)
      : null;
    // Expired and used-up invites admit nobody (the join would refuse them after the account).
    if (!invite || !isUsable(invite, this.deps.now())) {
      refused("invite_invalid");
      throw new Invalid(
        "invite_invalid",
        "Accounts here are by invitation: this invite code is missing, unknown or expired.",
        "inviteCode",
      );
    }
    return invite.code;
  }
}

function usernameTaken(): Conflict {
  return new Conflict("username_taken", "That username is taken.", "username");
}
