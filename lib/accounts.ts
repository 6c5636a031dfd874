/**
 * Accounts: registration, login, logout, session checks, profiles, password changes, the
 * user's list of sessions, and the password-and-code steps of two-factor authentication (the
 * rest of it is lib/accounts/two_factor_service.ts).
 *
 * The service stays thin: validate input, apply limits, call the store, and map stored users to
 * the API's shape. HTTP concerns (cookies, status codes) live in routes/.
 */
import type { AvatarRecord, SessionRecord, Store, UserRecord } from "../db/store.ts";
import { OwnsServersError, UsernameTakenError } from "../db/store.ts";
import type { RegistrationMode } from "./config.ts";
import { AdminService } from "./accounts/admin_service.ts";
import { cleanEmail } from "./accounts/email_address.ts";
import { Conflict, Forbidden, Invalid, NotFound, RateLimited, Unauthorized } from "./errors.ts";
import { isCompleteImage, sniffImageType } from "./images.ts";
import type { ImageType } from "./images.ts";
import {
  AVATAR_MAX_BYTES,
  PASSWORD_JOBS_PER_IP,
  SESSION_TOUCH_INTERVAL_MS,
  SESSION_TTL_MS,
  SESSION_USER_AGENT_MAX,
} from "./limits.ts";
import { checkPasswordPolicy } from "./accounts/password_policy.ts";
import type { Mailer } from "./accounts/mailer.ts";
import { PasswordResetService } from "./accounts/password_reset_service.ts";
import type { PasswordHasher } from "./passwords.ts";
import { toPublicUser } from "./public_user.ts";
import type { PublicUser } from "./public_user.ts";
import { PasswordQueueFull } from "./passwords.ts";
import { NO_SECURITY_LOG } from "./accounts/security_log.ts";
import type { SecurityEvent, SecurityLog } from "./accounts/security_log.ts";
import { SignInGuard } from "./accounts/sign_in_guard.ts";
import type { LoginAttempt } from "./accounts/sign_in_guard.ts";
import { checkPassword, cleanBio, cleanDisplayName, normalizeUsername } from "./text.ts";
import type { TokenSigner } from "./tokens.ts";
import { isInvalidCode, readCode, TwoFactorService } from "./accounts/two_factor_service.ts";
import type { TotpEnrolment } from "./accounts/two_factor_service.ts";
import { DataExportService } from "./accounts/data_export_service.ts";

export interface AccountServiceOptions {
  store: Store;
  tokens: TokenSigner;
  /** bcrypt at the configured cost (on a worker thread in the app). */
  passwords: PasswordHasher;
  /** Failed logins per account per 15 min (0: off); per IP ten times this. */
  loginRateLimit: number;
  /** Registrations per IP per hour (0: off). */
  registerRateLimit: number;
  /** Bound the password jobs one address may have in flight (off for load tests). */
  boundPasswordJobsPerAddress?: boolean;
  /** Told when a session ends, so its open sockets can be closed. */
  onSessionEnded?: (sessionId: string) => void;
  /** Told when an account is gone, with the servers it was a member of (for their members). */
  onAccountDeleted?: (user: UserRecord, serverIds: string[]) => void;
  /** Who may register (default open). */
  registration?: RegistrationMode;
  /** Joins a new user to an invite's server (`REGISTRATION=invite`). */
  joinInvite?: (user: UserRecord, code: string) => Promise<unknown>;
  /** Where logins, failures, registrations and revocations are reported. */
  securityLog?: SecurityLog;
  /** Usernames of the instance administrators (`ADMIN_USERNAMES`). */
  adminUsernames?: readonly string[];
  /** Mails reset links to users who ask (`SMTP_URL`); without it only administrators make them. */
  mailer?: Mailer;
  now?: () => number;
}

/** Who is asking: the address limits and the log use, and the client a session remembers. */
export interface ClientInfo {
  ip: string;
  /** The `User-Agent` header, if any. */
  userAgent?: string;
}

/** A session as its owner sees it in their list (API.md "Accounts"). */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  /** The session this request came with. */
  current: boolean;
}

export interface AccountDeletionInput {
  password?: unknown;
}

export interface PasswordChangeInput {
  currentPassword?: unknown;
  newPassword?: unknown;
}

/** What register and login return: the user and a token for the cookie or Bearer header. */
export interface AuthResult {
  user: PublicUser;
  token: string;
  expiresAt: Date;
  sessionId: string;
}

/** A request's verified identity. */
export interface Authenticated {
  user: UserRecord;
  sessionId: string;
}

export interface RegisterInput {
  username?: unknown;
  password?: unknown;
  displayName?: unknown;
  /** Required with `REGISTRATION=invite`. */
  inviteCode?: unknown;
}

export interface LoginInput {
  username?: unknown;
  password?: unknown;
  /** With two-factor on: a code of the authenticator app, or a recovery code. */
  code?: unknown;
}

/** DELETE /api/me/totp's body. */
export interface TwoFactorDisableInput {
  password?: unknown;
  code?: unknown;
}

export interface ProfileInput {
  displayName?: unknown;
  bio?: unknown;
}

const SAME_ANSWER = "Wrong username or password.";

export class AccountService {
  /** The user's data export (GET /api/me/export). */
  readonly dataExport: DataExportService;
  /** Instance administration (lib/accounts/admin_service.ts). */
  readonly admin: AdminService;
  /** Password reset links (lib/accounts/password_reset_service.ts). */
  readonly resets: PasswordResetService;
  #store: Store;
  #tokens: TokenSigner;
  #passwords: PasswordHasher;
  #now: () => number;
  #guard: SignInGuard;
  #dummyHash?: Promise<string>;
  #onSessionEnded: (sessionId: string) => void;
  #onAccountDeleted: (user: UserRecord, serverIds: string[]) => void;
  #registration: RegistrationMode;
  #joinInvite: (user: UserRecord, code: string) => Promise<unknown>;
  #log: SecurityLog;
  #twoFactor: TwoFactorService;

  constructor(options: AccountServiceOptions) {
    this.#store = options.store;
    this.dataExport = new DataExportService({ store: options.store, now: options.now });
    this.#tokens = options.tokens;
    this.#passwords = options.passwords;
    this.#now = options.now ?? Date.now;
    this.#onSessionEnded = options.onSessionEnded ?? (() => {});
    this.#onAccountDeleted = options.onAccountDeleted ?? (() => {});
    this.#registration = options.registration ?? "open";
    this.#joinInvite = options.joinInvite ?? (() => Promise.resolve());
    this.#log = options.securityLog ?? NO_SECURITY_LOG;
    this.#twoFactor = new TwoFactorService({
      store: this.#store,
      securityLog: this.#log,
      now: this.#now,
    });
    this.#guard = new SignInGuard({
      loginLimit: options.loginRateLimit,
      registerLimit: options.registerRateLimit,
      jobsPerIp: options.boundPasswordJobsPerAddress === false ? Infinity : PASSWORD_JOBS_PER_IP,
      now: this.#now,
    });
    this.resets = new PasswordResetService({
      store: this.#store,
      passwords: this.#passwords,
      onSessionEnded: this.#onSessionEnded,
      mailer: options.mailer,
      securityLog: this.#log,
      now: this.#now,
    });
    this.admin = new AdminService({
      store: this.#store,
      admins: options.adminUsernames ?? [],
      resets: this.resets,
      onSessionEnded: this.#onSessionEnded,
      securityLog: this.#log,
    });
  }

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
    // The address's slot first (a refusal for too many at once is not counted), then the count,
    // before any work and failures included: concurrency cannot get past the limit.
    const passwordHash = await this.#throttled(
      { event: "registration_throttled", username, ip },
      () =>
        this.#guard.passwordJob(ip, async () => {
          this.#guard.beginRegistration(ip);
          // A taken name is refused before the bcrypt work (a flood of them stalled every login).
          if (await this.#store.findUserByUsername(username)) throw usernameTaken();
          return await this.#hash(password);
        }),
    );
    const user: UserRecord = {
      id: crypto.randomUUID(),
      username,
      displayName,
      bio: "",
      passwordHash,
      avatarVersion: null,
      createdAt: new Date(this.#now()),
    };
    try {
      await this.#store.createUser(user);
    } catch (error) {
      if (error instanceof UsernameTakenError) throw usernameTaken();
      throw error;
    }
    if (inviteCode !== undefined) await this.#joinInviteIfStill(user, inviteCode);
    const result = await this.#startSession(user, userAgent);
    this.#log.record({ event: "registered", userId: user.id, username, ip });
    return result;
  }

  /** An invite deleted since `#admit` checked it leaves the new account without a server. */
  async #joinInviteIfStill(user: UserRecord, code: string): Promise<void> {
    try {
      await this.#joinInvite(user, code);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
    }
  }

  /**
   * Applies `REGISTRATION`: refuses when closed, and under `invite` returns the (existing)
   * invite code the body must carry, checked before any password work.
   */
  async #admit(input: RegisterInput, ip: string): Promise<string | undefined> {
    if (this.#registration === "open") return undefined;
    const refused = (reason: string) =>
      this.#log.record({ event: "registration_refused", ip, reason });
    if (this.#registration === "closed") {
      refused("registration_closed");
      throw new Forbidden("registration_closed", "This server does not take new accounts.");
    }
    const code = input.inviteCode;
    const invite = typeof code === "string" && code.length <= INVITE_CODE_INPUT_MAX
      ? await this.#store.findInvite(code)
      : null;
    if (!invite) {
      refused("invite_invalid");
      throw new Invalid(
        "invite_invalid",
        "Accounts here are by invitation: this invite code is missing, unknown or expired.",
        "inviteCode",
      );
    }
    return invite.code;
  }

  /** Checks credentials; unknown users and wrong passwords get the same answer and timing. */
  async login(input: LoginInput, client: ClientInfo | string): Promise<AuthResult> {
    const { ip, userAgent } = clientInfo(client);
    if (typeof input.username !== "string" || typeof input.password !== "string") {
      throw new Invalid("invalid_credentials", "Username and password are required.");
    }
    const username = input.username.trim().toLowerCase();
    const password = input.password;
    const code = readCode(input.code);
    const attempt = await this.#throttled(
      { event: "login_throttled", username, ip },
      () => this.#guard.beginLogin(username, ip),
    );
    let user: UserRecord | null;
    let matches: boolean;
    try {
      user = await this.#store.findUserByUsername(username);
      // An unknown user still costs one bcrypt comparison, so timing does not reveal who exists.
      const hash = user?.passwordHash ?? await this.#dummy();
      matches = await this.#throttled(
        { event: "login_throttled", username, ip },
        () => this.#guard.passwordJob(ip, () => this.#verify(password, hash)),
      );
    } catch (error) {
      attempt.abandoned();
      throw error;
    }
    // A failed attempt stays counted (it was reserved before the check).
    if (!user || !matches) {
      this.#log.record({ event: "login_failed", userId: user?.id, username, ip });
      throw new Unauthorized("invalid_credentials", SAME_ANSWER);
    }
    await this.#secondFactor(attempt, () => this.#twoFactor.checkSignIn(user, code, ip));
    attempt.succeeded();
    // Told only after the right password: to guessers a suspended account looks like any other.
    if (user.suspended) {
      this.#log.record({
        event: "login_failed",
        userId: user.id,
        username,
        ip,
        reason: "suspended",
      });
      throw suspendedError();
    }
    const result = await this.#startSession(user, userAgent);
    this.#log.record({
      event: "login",
      userId: user.id,
      username,
      ip,
      sessionId: result.sessionId,
    });
    return result;
  }

  /** Ends a session: every token naming it stops working at once. */
  async logout(sessionId: string, ip?: string): Promise<void> {
    await this.#store.deleteSession(sessionId);
    this.#onSessionEnded(sessionId);
    this.#log.record({ event: "logout", sessionId, ip });
  }

  /**
   * Changes the password after checking the current one (`401 invalid_credentials` if wrong),
   * then revokes every other session of the user and closes their sockets. The current
   * session stays.
   */
  async changePassword(auth: Authenticated, input: PasswordChangeInput, ip: string): Promise<void> {
    const { user, sessionId } = auth;
    const newPassword = checkPassword(input.newPassword);
    checkPasswordPolicy(newPassword, user.username);
    await this.#confirmPassword(auth, input.currentPassword, ip, "password_change_failed");
    const hash = await this.#guard.passwordJob(ip, () => this.#hash(newPassword));
    if (!await this.#store.setPasswordHash(user.id, hash)) {
      throw new NotFound("not_found", "No such user.");
    }
    this.#log.record({
      event: "password_changed",
      userId: user.id,
      username: user.username,
      ip,
      sessionId,
    });
    await this.#revokeOthers(auth, ip, "password_changed");
  }

  /**
   * Deletes the account after checking its password (`401 invalid_credentials` if wrong);
   * `409 owns_servers` while the user owns a server. Every session ends and its sockets close;
   * the user's messages stay, shown as by "Deleted user".
   */
  async deleteAccount(auth: Authenticated, input: AccountDeletionInput, ip: string): Promise<void> {
    const { user, sessionId } = auth;
    await this.#confirmPassword(auth, input.password, ip, "account_deletion_failed");
    const sessions = await this.#store.listSessionsOf(user.id);
    const servers = await this.#store.listServersOf(user.id);
    try {
      if (servers.some((server) => server.ownerId === user.id)) {
        throw new OwnsServersError(user.id);
      }
      await this.#store.deleteUser(user.id);
    } catch (error) {
      if (!(error instanceof OwnsServersError)) throw error;
      throw new Conflict(
        "owns_servers",
        "You own servers: delete them or hand them over before deleting your account.",
      );
    }
    this.#log.record({
      event: "account_deleted",
      userId: user.id,
      username: user.username,
      ip,
      sessionId,
    });
    for (const session of sessions) this.#onSessionEnded(session.id);
    this.#onAccountDeleted(user, servers.map((server) => server.id));
  }

  /**
   * Checks the signed-in user's password before a sensitive change (`401 invalid_credentials`
   * if wrong, logged as `failed`). A wrong one counts as a failed login of the account, so
   * someone holding a stolen session guesses no faster here than at the login form.
   */
  async #confirmPassword(
    { user, sessionId }: Authenticated,
    password: unknown,
    ip: string,
    failed: "password_change_failed" | "account_deletion_failed",
  ): Promise<void> {
    if (typeof password !== "string") {
      throw new Invalid("invalid_credentials", "Your current password is required.");
    }
    const logged = { event: failed, userId: user.id, username: user.username, ip, sessionId };
    const throttled = { ...logged, reason: "throttled" };
    const attempt = await this.#throttled(
      throttled,
      () => this.#guard.beginLogin(user.username, ip),
    );
    let matches: boolean;
    try {
      matches = await this.#throttled(
        throttled,
        () => this.#guard.passwordJob(ip, () => this.#verify(password, user.passwordHash)),
      );
    } catch (error) {
      attempt.abandoned();
      throw error;
    }
    if (!matches) {
      this.#log.record({ ...logged, reason: "wrong_password" });
      throw new Unauthorized("invalid_credentials", "Your current password is wrong.");
    }
    attempt.succeeded();
  }

  /** Starts setting up an authenticator app (POST /api/me/totp): on once confirmed. */
  startTwoFactor(auth: Authenticated): Promise<TotpEnrolment> {
    return this.#twoFactor.start(auth.user);
  }

  /** Confirms the setup with a current code; returns the recovery codes, shown only now. */
  confirmTwoFactor(auth: Authenticated, input: { code?: unknown }, ip: string): Promise<string[]> {
    return this.#twoFactor.confirm(auth.user, input.code, ip);
  }

  /** Whether the user signs in with a second factor (the settings page shows which). */
  isTwoFactorEnabled(auth: Authenticated): Promise<boolean> {
    return this.#twoFactor.isEnabled(auth.user.id);
  }

  /**
   * Turns two-factor authentication off. It takes the password (`401 invalid_credentials`)
   * and a current or recovery code (`401 invalid_code`), each failure counted as a failed
   * login of the account, so a stolen session cannot guess either faster than the login form.
   */
  async disableTwoFactor(
    auth: Authenticated,
    input: TwoFactorDisableInput,
    ip: string,
  ): Promise<void> {
    const { user, sessionId } = auth;
    if (typeof input.password !== "string") {
      throw new Invalid("invalid_credentials", "The password is required.");
    }
    const password = input.password;
    const code = readCode(input.code);
    if (code === undefined) {
      throw new Invalid("invalid_code", "A code from your app, or a recovery code, is required.");
    }
    await this.#twoFactor.requireEnabled(user.id);
    const failed = {
      event: "totp_disable_failed",
      userId: user.id,
      username: user.username,
      ip,
      sessionId,
    } as const;
    const attempt = await this.#throttled(
      { ...failed, reason: "throttled" },
      () => this.#guard.beginLogin(user.username, ip),
    );
    let matches: boolean;
    try {
      matches = await this.#throttled(
        { ...failed, reason: "throttled" },
        () => this.#guard.passwordJob(ip, () => this.#verify(password, user.passwordHash)),
      );
    } catch (error) {
      attempt.abandoned();
      throw error;
    }
    if (!matches) {
      this.#log.record({ ...failed, reason: "wrong_password" });
      throw new Unauthorized("invalid_credentials", "The password is wrong.");
    }
    await this.#secondFactor(attempt, () => this.#twoFactor.disable(user, code, ip));
    attempt.succeeded();
  }

  /**
   * Runs a second-factor check within a reserved attempt: a wrong code stays counted, like a
   * wrong password; any other refusal (no code yet) or error counts nothing.
   */
  async #secondFactor(attempt: LoginAttempt, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      if (!isInvalidCode(error)) attempt.abandoned();
      throw error;
    }
  }

  /** The user's live sessions, oldest first, the caller's own marked `current`. */
  async listSessions(auth: Authenticated): Promise<SessionView[]> {
    const sessions = await this.#store.listSessionsOf(auth.user.id);
    return sessions.map((session) => toSessionView(session, auth.sessionId));
  }

  /** Ends one of the user's sessions (another user's, or an unknown id: 404). */
  async revokeSession(auth: Authenticated, sessionId: string, ip: string): Promise<void> {
    // Ids are UUIDs; anything else is nobody's (and a long one would be over KV's key size).
    const session = UUID_SHAPE.test(sessionId) ? await this.#store.findSession(sessionId) : null;
    if (!session || session.userId !== auth.user.id) {
      throw new NotFound("not_found", "No such session.");
    }
    await this.#store.deleteSession(sessionId);
    this.#ended(auth, sessionId, ip, "by_user");
  }

  /** Ends every session of the user but the one this request came with. */
  async revokeOtherSessions(auth: Authenticated, ip: string): Promise<void> {
    await this.#revokeOthers(auth, ip, "by_user");
  }

  async #revokeOthers(auth: Authenticated, ip: string, reason: string): Promise<void> {
    const revoked = await this.#store.deleteSessionsOf(auth.user.id, auth.sessionId);
    for (const sessionId of revoked) this.#ended(auth, sessionId, ip, reason);
  }

  /** Closes an ended session's sockets and logs who ended it. */
  #ended(auth: Authenticated, sessionId: string, ip: string, reason: string): void {
    this.#onSessionEnded(sessionId);
    this.#log.record({
      event: "session_revoked",
      userId: auth.user.id,
      username: auth.user.username,
      ip,
      sessionId,
      reason,
    });
  }

  /** The identity behind a token, or null if the token or its session is not valid. */
  async authenticate(token: string): Promise<Authenticated | null> {
    const claims = await this.#tokens.verify(token);
    if (!claims) return null;
    const session = await this.#store.findSession(claims.sessionId);
    if (!session || session.userId !== claims.userId) {
      // A suspension ended the session: its holder is told why (one read, for dead sessions only).
      if ((await this.#store.findUserById(claims.userId))?.suspended) throw suspendedError();
      return null;
    }
    const user = await this.#store.findUserById(session.userId);
    if (!user) return null;
    if (user.suspended) throw suspendedError();
    // One write a minute at most, not one per request.
    const now = this.#now();
    if (now - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
      await this.#store.touchSession(session.id, new Date(now));
    }
    return { user, sessionId: session.id };
  }

  /** Updates display name and/or bio; absent fields stay as they are. */
  async updateProfile(userId: string, input: ProfileInput): Promise<PublicUser> {
    const patch = {
      displayName: input.displayName === undefined
        ? undefined
        : cleanDisplayName(input.displayName),
      bio: input.bio === undefined ? undefined : cleanBio(input.bio),
    };
    const user = await this.#store.updateProfile(userId, patch);
    if (!user) throw new NotFound("not_found", "No such user.");
    return toPublicUser(user);
  }

  /** Sets or (with null or "") removes the address reset links are mailed to; returns it. */
  async setEmail(userId: string, raw: unknown): Promise<string | null> {
    const email = cleanEmail(raw);
    if (!await this.#store.setEmail(userId, email)) {
      throw new NotFound("not_found", "No such user.");
    }
    return email;
  }

  /**
   * Stores a new avatar. The bytes decide the type; `claimedType`, when given (the API's
   * Content-Type), must agree with them.
   */
  async setAvatar(userId: string, bytes: Uint8Array, claimedType?: string): Promise<PublicUser> {
    const type = checkAvatar(bytes, claimedType);
    const user = await this.#store.putAvatar(userId, {
      contentType: type,
      bytes,
      version: `${this.#now().toString(36)}${crypto.randomUUID().slice(0, 8)}`,
    });
    if (!user) throw new NotFound("not_found", "No such user.");
    return toPublicUser(user);
  }

  /** The user's uploaded avatar, or null (then the generated default is shown). */
  async getAvatar(userId: string): Promise<AvatarRecord | null> {
    return await this.#store.findAvatar(userId);
  }

  /** A user by id, or NotFound. */
  async getUser(userId: string): Promise<UserRecord> {
    const user = await this.#store.findUserById(userId);
    if (!user) throw new NotFound("not_found", "No such user.");
    return user;
  }

  async #startSession(user: UserRecord, userAgent: string): Promise<AuthResult> {
    const now = this.#now();
    const expiresAt = new Date(now + SESSION_TTL_MS);
    const sessionId = crypto.randomUUID();
    await this.#store.createSession({
      id: sessionId,
      userId: user.id,
      createdAt: new Date(now),
      expiresAt,
      userAgent,
      lastSeenAt: new Date(now),
    });
    const token = await this.#tokens.sign({ userId: user.id, sessionId, expiresAt });
    return { user: toPublicUser(user), token, expiresAt, sessionId };
  }

  /** Runs `work`, logging `event` if the sign-in guard refuses it (429), and rethrows. */
  async #throttled<T>(event: SecurityEvent, work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof RateLimited) this.#log.record(event);
      throw error;
    }
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= this.#hash(crypto.randomUUID());
    // A failed first attempt (a busy worker) must not be remembered as the dummy forever.
    this.#dummyHash.catch(() => this.#dummyHash = undefined);
    return this.#dummyHash;
  }

  #hash(password: string): Promise<string> {
    return busyAsRateLimited(this.#passwords.hash(password));
  }

  #verify(password: string, hash: string): Promise<boolean> {
    return busyAsRateLimited(this.#passwords.verify(password, hash));
  }
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An invite code longer than this is not looked up (real ones are about 22 characters). */
const INVITE_CODE_INPUT_MAX = 64;

/** Accepts the older bare-address form, so callers that have no User-Agent keep working. */
function clientInfo(client: ClientInfo | string): { ip: string; userAgent: string } {
  const { ip, userAgent = "" } = typeof client === "string" ? { ip: client } : client;
  return { ip, userAgent: userAgent.slice(0, SESSION_USER_AGENT_MAX) };
}

function toSessionView(session: SessionRecord, currentId: string): SessionView {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    userAgent: session.userAgent,
    current: session.id === currentId,
  };
}

/** `403 suspended`: an administrator suspended the account (lib/accounts/admin_service.ts). */
function suspendedError(): Forbidden {
  return new Forbidden("suspended", "This account is suspended by the server's administrators.");
}

function usernameTaken(): Conflict {
  return new Conflict("username_taken", "That username is taken.", "username");
}

/** A full password queue is the server being busy: a clear 429 beats an endless wait. */
async function busyAsRateLimited<T>(job: Promise<T>): Promise<T> {
  try {
    return await job;
  } catch (error) {
    if (error instanceof PasswordQueueFull) {
      throw new RateLimited(1, "The server is busy signing people in.");
    }
    throw error;
  }
}

/** Checks size, real type, completeness, and agreement with a claimed type. */
function checkAvatar(bytes: Uint8Array, claimedType?: string): ImageType {
  if (bytes.length === 0) throw new Invalid("invalid_image", "The image is empty.", "avatar");
  if (bytes.length > AVATAR_MAX_BYTES) {
    throw new Invalid(
      "image_too_large",
      `The image must be at most ${
        AVATAR_MAX_BYTES / 1024 / 1024
      } MiB: it is ${bytes.length} bytes.`,
      "avatar",
    );
  }
  const type = sniffImageType(bytes);
  if (!type) {
    throw new Invalid("invalid_image", "The file is not a PNG, JPEG, WebP or GIF image.", "avatar");
  }
  if (claimedType !== undefined && claimedType !== type) {
    throw new Invalid(
      "invalid_image",
      `The file is ${type}, but it was sent as ${claimedType}.`,
      "avatar",
    );
  }
  if (!isCompleteImage(type, bytes)) {
    throw new Invalid("invalid_image", "The image file is incomplete.", "avatar");
  }
  return type;
}
