/**
 * Sessions: starting one at sign-in, the user's list of them, revoking one or all the others,
 * and the last-seen time a request refreshes.
 */
import type { SessionRecord, UserRecord } from "../../db/store.ts";
import { NotFound } from "../errors.ts";
import { SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from "../limits.ts";
import { toPublicUser } from "../public_user.ts";
import type { PublicUser } from "../public_user.ts";
import type { TokenSigner } from "../tokens.ts";
import type { AccountDeps, Authenticated } from "./account_deps.ts";

/** A session as its owner sees it in their list (API.md "Accounts"). */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  /** The session this request came with. */
  current: boolean;
}

/** What register and login return: the user and a token for the cookie or Bearer header. */
export interface AuthResult {
  user: PublicUser;
  token: string;
  expiresAt: Date;
  sessionId: string;
}

export class SessionService {
  constructor(readonly deps: AccountDeps, readonly tokens: TokenSigner) {}

  /** Stores a new session of `user` and signs the token that names it. */
  async start(user: UserRecord, userAgent: string): Promise<AuthResult> {
    const now = this.deps.now();
    const expiresAt = new Date(now + SESSION_TTL_MS);
    const sessionId = crypto.randomUUID();
    await this.deps.store.createSession({
      id: sessionId,
      userId: user.id,
      createdAt: new Date(now),
      expiresAt,
      userAgent,
      lastSeenAt: new Date(now),
    });
    const token = await this.tokens.sign({ userId: user.id, sessionId, expiresAt });
    return { user: toPublicUser(user), token, expiresAt, sessionId };
  }

  /** Records that `session` was just used; one write a minute at most, not one per request. */
  async touch(session: SessionRecord): Promise<void> {
    const now = this.deps.now();
    if (now - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
      await this.deps.store.touchSession(session.id, new Date(now));
    }
  }

  /** The user's live sessions, oldest first, the caller's own marked `current`. */
  async list(auth: Authenticated): Promise<SessionView[]> {
    const sessions = await this.deps.store.listSessionsOf(auth.user.id);
    return sessions.map((session) => toSessionView(session, auth.sessionId));
  }

  /** Ends one of the user's sessions (another user's, or an unknown id: 404). */
  async revoke(auth: Authenticated, sessionId: string, ip: string): Promise<void> {
    // Ids are UUIDs; anything else is nobody's (and a long one would be over KV's key size).
    const session = UUID_SHAPE.test(sessionId)
      ? await this.deps.store.findSession(sessionId)
      : null;
    if (!session || session.userId !== auth.user.id) {
      throw new NotFound("not_found", "No such session.");
    }
    await this.deps.store.deleteSession(sessionId);
    this.#ended(auth, sessionId, ip, "by_user");
  }

  /** Ends every session of the user but the one this request came with, logged with `reason`. */
  async revokeOthers(auth: Authenticated, ip: string, reason: string): Promise<void> {
    const revoked = await this.deps.store.deleteSessionsOf(auth.user.id, auth.sessionId);
    for (const sessionId of revoked) this.#ended(auth, sessionId, ip, reason);
  }

  /** Closes an ended session's sockets and logs who ended it. */
  #ended(auth: Authenticated, sessionId: string, ip: string, reason: string): void {
    this.deps.onSessionEnded(sessionId);
    this.deps.log.record({
      event: "session_revoked",
      userId: auth.user.id,
      username: auth.user.username,
      ip,
      sessionId,
      reason,
    });
  }
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function toSessionView(session: SessionRecord, currentId: string): SessionView {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    userAgent: session.userAgent,
    current: session.id === currentId,
  };
}
