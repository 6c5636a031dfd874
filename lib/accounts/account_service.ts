/**
 * Accounts, one service per concept: registration, sign-in (login, logout, a request's
 * identity), sessions, profile, password changes, account deletion and the account's side of
 * two-factor, plus administration, password resets and the data export.
 *
 * The services stay thin: validate input, apply limits, call the store, and map stored users to
 * the API's shape. HTTP concerns (cookies, status codes) live in routes/. Built once per
 * instance (lib/services.ts); the services share the store, the security log, the clock, the
 * sign-in guard and the password thread. The methods below keep the one API callers use.
 */
import type { AvatarRecord, Store, UserRecord } from "../../db/store.ts";
import type { StoredImage } from "../../db/blob_moves.ts";
import type { RegistrationMode } from "../config.ts";
import { PASSWORD_JOBS_PER_IP } from "../limits.ts";
import type { PasswordHasher } from "../passwords.ts";
import type { PublicUser } from "../public_user.ts";
import type { TokenSigner } from "../tokens.ts";
import type { AccountDeps, Authenticated, ClientInfo } from "./account_deps.ts";
import { AdminService } from "./admin_service.ts";
import { DataExportService } from "./data_export_service.ts";
import { AccountDeletion } from "./deletion.ts";
import type { AccountDeletionInput } from "./deletion.ts";
import { GuardedPasswords } from "./guarded_passwords.ts";
import type { Mailer } from "./mailer.ts";
import { PasswordService } from "./password.ts";
import type { PasswordChangeInput } from "./password.ts";
import { PasswordResetService } from "./password_reset_service.ts";
import { EmailChangeService } from "./email_change.ts";
import type { EmailChangeInput } from "./email_change.ts";
import { ProfileService } from "./profile.ts";
import type { ProfileInput } from "./profile.ts";
import { RegistrationService } from "./registration.ts";
import type { RegisterInput } from "./registration.ts";
import { NO_SECURITY_LOG } from "./security_log.ts";
import type { SecurityLog } from "./security_log.ts";
import { SessionService } from "./sessions.ts";
import type { AuthResult, SessionView } from "./sessions.ts";
import type { RateLimitBackend } from "../rate_limits/rate_limits.ts";
import { SignInGuard } from "./sign_in_guard.ts";
import { SignInService } from "./sign_in.ts";
import type { LoginInput } from "./sign_in.ts";
import { TwoFactorService } from "./two_factor_service.ts";
import type { TotpEnrolment } from "./two_factor_service.ts";
import { TwoFactorSettings } from "./two_factor_settings.ts";
import type { TwoFactorDisableInput } from "./two_factor_settings.ts";

export type { AccountDeps, Authenticated, ClientInfo } from "./account_deps.ts";
export type { AccountDeletionInput } from "./deletion.ts";
export type { PasswordChangeInput } from "./password.ts";
export type { EmailChangeInput } from "./email_change.ts";
export type { ProfileInput } from "./profile.ts";
export type { RegisterInput } from "./registration.ts";
export type { AuthResult, SessionView } from "./sessions.ts";
export type { LoginInput } from "./sign_in.ts";
export type { TwoFactorDisableInput } from "./two_factor_settings.ts";

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
  /** Runs after a profile or avatar change, with the user as it now is (`user_updated`). */
  onProfileChanged?: (user: PublicUser) => void;
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
  /** Where the rate limits count (default: this process's memory; Redis with BUS=redis). */
  rateLimits?: RateLimitBackend;
}

export class AccountService {
  /** The user's data export (GET /api/me/export). */
  readonly dataExport: DataExportService;
  /** Instance administration (admin_service.ts). */
  readonly admin: AdminService;
  /** Password reset links (password_reset_service.ts). */
  readonly resets: PasswordResetService;
  #registration: RegistrationService;
  #signIn: SignInService;
  #sessions: SessionService;
  #profile: ProfileService;
  #email: EmailChangeService;
  #password: PasswordService;
  #deletion: AccountDeletion;
  #twoFactor: TwoFactorSettings;

  constructor(options: AccountServiceOptions) {
    const deps = accountDeps(options);
    const twoFactor = new TwoFactorService({
      store: deps.store,
      securityLog: deps.log,
      now: deps.now,
    });
    this.#sessions = new SessionService(deps, options.tokens);
    this.#registration = new RegistrationService(deps, this.#sessions, {
      registration: options.registration ?? "open",
      joinInvite: options.joinInvite ?? (() => Promise.resolve()),
      admins: options.adminUsernames ?? [],
    });
    this.#signIn = new SignInService(deps, options.tokens, twoFactor, this.#sessions);
    this.#profile = new ProfileService(deps.store, deps.now, options.onProfileChanged);
    this.#email = new EmailChangeService(deps);
    this.#password = new PasswordService(deps, this.#sessions);
    this.#deletion = new AccountDeletion(deps, options.onAccountDeleted ?? (() => {}));
    this.#twoFactor = new TwoFactorSettings(deps, twoFactor);
    this.dataExport = new DataExportService({
      store: options.store,
      now: options.now,
      rateLimits: options.rateLimits,
    });
    this.resets = new PasswordResetService({
      store: deps.store,
      passwords: deps.passwords,
      onSessionEnded: deps.onSessionEnded,
      mailer: options.mailer,
      securityLog: deps.log,
      now: deps.now,
      rateLimits: options.rateLimits,
    });
    this.admin = new AdminService({
      store: deps.store,
      admins: options.adminUsernames ?? [],
      resets: this.resets,
      onSessionEnded: deps.onSessionEnded,
      securityLog: deps.log,
    });
  }

  /** Creates an account and logs it in (registration.ts). */
  register(input: RegisterInput, client: ClientInfo | string): Promise<AuthResult> {
    return this.#registration.register(input, client);
  }

  /** Checks credentials and starts a session (sign_in.ts). */
  login(input: LoginInput, client: ClientInfo | string): Promise<AuthResult> {
    return this.#signIn.login(input, client);
  }

  /** Ends a session: every token naming it stops working at once. */
  logout(sessionId: string, ip?: string): Promise<void> {
    return this.#signIn.logout(sessionId, ip);
  }

  /** The identity behind a token, or null if the token or its session is not valid. */
  authenticate(token: string): Promise<Authenticated | null> {
    return this.#signIn.authenticate(token);
  }

  /** Changes the password and ends the user's other sessions (password.ts). */
  changePassword(auth: Authenticated, input: PasswordChangeInput, ip: string): Promise<void> {
    return this.#password.change(auth, input, ip);
  }

  /** Deletes the account after checking its password (deletion.ts). */
  deleteAccount(auth: Authenticated, input: AccountDeletionInput, ip: string): Promise<void> {
    return this.#deletion.delete(auth, input, ip);
  }

  /** Starts setting up an authenticator app (two_factor_settings.ts). */
  startTwoFactor(auth: Authenticated): Promise<TotpEnrolment> {
    return this.#twoFactor.start(auth);
  }

  /** Confirms the setup with a current code; returns the recovery codes, shown only now. */
  confirmTwoFactor(auth: Authenticated, input: { code?: unknown }, ip: string): Promise<string[]> {
    return this.#twoFactor.confirm(auth, input, ip);
  }

  /** Whether the user signs in with a second factor. */
  isTwoFactorEnabled(auth: Authenticated): Promise<boolean> {
    return this.#twoFactor.isEnabled(auth);
  }

  /** Turns two-factor off, given the password and a code (two_factor_settings.ts). */
  disableTwoFactor(auth: Authenticated, input: TwoFactorDisableInput, ip: string): Promise<void> {
    return this.#twoFactor.disable(auth, input, ip);
  }

  /** The user's live sessions, oldest first, the caller's own marked `current`. */
  listSessions(auth: Authenticated): Promise<SessionView[]> {
    return this.#sessions.list(auth);
  }

  /** Ends one of the user's sessions (another user's, or an unknown id: 404). */
  revokeSession(auth: Authenticated, sessionId: string, ip: string): Promise<void> {
    return this.#sessions.revoke(auth, sessionId, ip);
  }

  /** Ends every session of the user but the one this request came with. */
  revokeOtherSessions(auth: Authenticated, ip: string): Promise<void> {
    return this.#sessions.revokeOthers(auth, ip, "by_user");
  }

  /** Updates display name and/or bio; absent fields stay as they are. */
  updateProfile(userId: string, input: ProfileInput): Promise<PublicUser> {
    return this.#profile.updateProfile(userId, input);
  }

  /** Sets or removes the address reset links go to, given the password (email_change.ts). */
  setEmail(auth: Authenticated, input: EmailChangeInput, ip: string): Promise<string | null> {
    return this.#email.change(auth, input, ip);
  }

  /** Stores a new avatar, typed by its bytes (profile.ts). */
  setAvatar(userId: string, bytes: Uint8Array, claimedType?: string): Promise<PublicUser> {
    return this.#profile.setAvatar(userId, bytes, claimedType);
  }

  /** The user's uploaded avatar, or null (then the generated default is shown). */
  getAvatar(userId: string): Promise<AvatarRecord | null> {
    return this.#profile.getAvatar(userId);
  }

  /** The avatar as a stream from the blob store, or null (profile.ts). */
  openAvatar(userId: string): Promise<StoredImage | null> {
    return this.#profile.openAvatar(userId);
  }

  /** A user by id, or NotFound. */
  getUser(userId: string): Promise<UserRecord> {
    return this.#profile.getUser(userId);
  }
}

/** The parts every account service shares, with the options' defaults applied. */
function accountDeps(options: AccountServiceOptions): AccountDeps {
  const log = options.securityLog ?? NO_SECURITY_LOG;
  const now = options.now ?? Date.now;
  const guard = new SignInGuard({
    loginLimit: options.loginRateLimit,
    registerLimit: options.registerRateLimit,
    jobsPerIp: options.boundPasswordJobsPerAddress === false ? Infinity : PASSWORD_JOBS_PER_IP,
    now,
    rateLimits: options.rateLimits,
  });
  return {
    store: options.store,
    log,
    now,
    passwords: new GuardedPasswords(guard, options.passwords, log),
    onSessionEnded: options.onSessionEnded ?? (() => {}),
  };
}
