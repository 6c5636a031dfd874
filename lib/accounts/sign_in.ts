/**
 * Signing in and out: login with its throttling and second factor, logout, and the identity
 * behind a request's token. Unknown users and wrong passwords get the same answer and timing.
 */
import type { UserRecord } from "../../db/store.ts";
import { Forbidden, Invalid, Unauthorized } from "../errors.ts";
import { USERNAME_MAX_LENGTH } from "../limits.ts";
import type { TokenSigner } from "../tokens.ts";
import { clientInfo } from "./account_deps.ts";
import type { AccountDeps, Authenticated, ClientInfo } from "./account_deps.ts";
import type { AuthResult, SessionService } from "./sessions.ts";
import { readCode } from "./two_factor_service.ts";
import type { TwoFactorService } from "./two_factor_service.ts";

export interface LoginInput {
  username?: unknown;
  password?: unknown;
  /** With two-factor on: a code of the authenticator app, or a recovery code. */
  code?: unknown;
}

const SAME_ANSWER = "Wrong username or password.";

export class SignInService {
  constructor(
    readonly deps: AccountDeps,
    readonly tokens: TokenSigner,
    readonly twoFactor: TwoFactorService,
    readonly sessions: SessionService,
  ) {}

  /** Checks credentials; unknown users and wrong passwords get the same answer and timing. */
  async login(input: LoginInput, client: ClientInfo | string): Promise<AuthResult> {
    const { ip, userAgent } = clientInfo(client);
    if (typeof input.username !== "string" || typeof input.password !== "string") {
      throw new Invalid("invalid_credentials", "Username and password are required.");
    }
    const username = input.username.trim().toLowerCase();
    // No account has a longer name; such a key would throw in KV and bloat the throttle's map.
    if (username.length > USERNAME_MAX_LENGTH) {
      this.deps.log.record({ event: "login_failed", username, ip, reason: "username_too_long" });
      throw new Unauthorized("invalid_credentials", SAME_ANSWER);
    }
    const password = input.password;
    const code = readCode(input.code);
    const guarded = this.deps.passwords;
    const attempt = await guarded.throttled(
      { event: "login_throttled", username, ip },
      () => guarded.guard.beginLogin(username, ip),
    );
    let user: UserRecord | null;
    let matches: boolean;
    try {
      user = await this.deps.store.findUserByUsername(username);
      // An unknown user still costs one bcrypt comparison, so timing does not reveal who exists.
      const hash = user?.passwordHash ?? await guarded.dummy();
      matches = await guarded.throttled(
        { event: "login_throttled", username, ip },
        () => guarded.guard.passwordJob(ip, () => guarded.verify(password, hash)),
      );
    } catch (error) {
      attempt.abandoned();
      throw error;
    }
    // A failed attempt stays counted (it was reserved before the check).
    if (!user || !matches) {
      this.deps.log.record({ event: "login_failed", userId: user?.id, username, ip });
      throw new Unauthorized("invalid_credentials", SAME_ANSWER);
    }
    await guarded.secondFactor(attempt, () => this.twoFactor.checkSignIn(user, code, ip));
    attempt.succeeded();
    // Told only after the right password: to guessers a suspended account looks like any other.
    if (user.suspended) {
      this.deps.log.record({
        event: "login_failed",
        userId: user.id,
        username,
        ip,
        reason: "suspended",
      });
      throw suspendedError();
    }
    const result = await this.sessions.start(user, userAgent);
    this.deps.log.record({
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
    await this.deps.store.deleteSession(sessionId);
    this.deps.onSessionEnded(sessionId);
    this.deps.log.record({ event: "logout", sessionId, ip });
  }

  /** The identity behind a token, or null if the token or its session is not valid. */
  async authenticate(token: string): Promise<Authenticated | null> {
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    const store = this.deps.store;
    // Both reads at once: on PostgreSQL each is a round trip, and every request makes them. The
    // user is the token's; a live session is the same user's (checked below), so it is the one
    // the session names.
    const [session, user] = await Promise.all([
      store.findSession(claims.sessionId),
      store.findUserById(claims.userId),
    ]);
    if (!session || session.userId !== claims.userId) {
      // A suspension ended the session: its holder is told why.
      if (user?.suspended) throw suspendedError();
      return null;
    }
    if (!user) return null;
    if (user.suspended) throw suspendedError();
    await this.sessions.touch(session);
    return { user, sessionId: session.id };
  }
}

/** `403 suspended`: an administrator suspended the account (admin_service.ts). */
function suspendedError(): Forbidden {
  return new Forbidden("suspended", "This account is suspended by the server's administrators.");
}
