/**
 * Accounts: registration, login, logout, session checks and profiles.
 *
 * The service stays thin: validate input, apply limits, call the store, and map stored users to
 * the API's shape. HTTP concerns (cookies, status codes) live in routes/.
 */
import type { AvatarRecord, Store, UserRecord } from "../db/store.ts";
import { UsernameTakenError } from "../db/store.ts";
import { Conflict, Invalid, NotFound, RateLimited, Unauthorized } from "./errors.ts";
import { isCompleteImage, sniffImageType } from "./images.ts";
import type { ImageType } from "./images.ts";
import { AVATAR_MAX_BYTES, PASSWORD_JOBS_PER_IP, SESSION_TTL_MS } from "./limits.ts";
import type { PasswordHasher } from "./passwords.ts";
import { toPublicUser } from "./public_user.ts";
import type { PublicUser } from "./public_user.ts";
import { PasswordQueueFull } from "./passwords.ts";
import { SignInGuard } from "./sign_in_guard.ts";
import { checkPassword, cleanBio, cleanDisplayName, normalizeUsername } from "./text.ts";
import type { TokenSigner } from "./tokens.ts";

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
  now?: () => number;
}

/** What register and login return: the user and a token for the cookie or Bearer header. */
export interface AuthResult {
  user: PublicUser;
  token: string;
  expiresAt: Date;
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
}

export interface LoginInput {
  username?: unknown;
  password?: unknown;
}

export interface ProfileInput {
  displayName?: unknown;
  bio?: unknown;
}

const SAME_ANSWER = "Wrong username or password.";

export class AccountService {
  #store: Store;
  #tokens: TokenSigner;
  #passwords: PasswordHasher;
  #now: () => number;
  #guard: SignInGuard;
  #dummyHash?: Promise<string>;
  #onSessionEnded: (sessionId: string) => void;

  constructor(options: AccountServiceOptions) {
    this.#store = options.store;
    this.#tokens = options.tokens;
    this.#passwords = options.passwords;
    this.#now = options.now ?? Date.now;
    this.#onSessionEnded = options.onSessionEnded ?? (() => {});
    this.#guard = new SignInGuard({
      loginLimit: options.loginRateLimit,
      registerLimit: options.registerRateLimit,
      jobsPerIp: options.boundPasswordJobsPerAddress === false ? Infinity : PASSWORD_JOBS_PER_IP,
      now: this.#now,
    });
  }

  /** Creates an account and logs it in. */
  async register(input: RegisterInput, ip: string): Promise<AuthResult> {
    const username = normalizeUsername(input.username);
    const password = checkPassword(input.password);
    const displayName = input.displayName === undefined || input.displayName === ""
      ? username
      : cleanDisplayName(input.displayName);
    // The address's slot first (a refusal for too many at once is not counted), then the count,
    // before any work and failures included: concurrency cannot get past the limit.
    const passwordHash = await this.#guard.passwordJob(ip, async () => {
      this.#guard.beginRegistration(ip);
      // A taken name is refused before the bcrypt work (a flood of them stalled every login).
      if (await this.#store.findUserByUsername(username)) throw usernameTaken();
      return await this.#hash(password);
    });
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
    return await this.#startSession(user);
  }

  /** Checks credentials; unknown users and wrong passwords get the same answer and timing. */
  async login(input: LoginInput, ip: string): Promise<AuthResult> {
    if (typeof input.username !== "string" || typeof input.password !== "string") {
      throw new Invalid("invalid_credentials", "Username and password are required.");
    }
    const username = input.username.trim().toLowerCase();
    const password = input.password;
    const attempt = this.#guard.beginLogin(username, ip);
    let user: UserRecord | null;
    let matches: boolean;
    try {
      user = await this.#store.findUserByUsername(username);
      // An unknown user still costs one bcrypt comparison, so timing does not reveal who exists.
      const hash = user?.passwordHash ?? await this.#dummy();
      matches = await this.#guard.passwordJob(ip, () => this.#verify(password, hash));
    } catch (error) {
      attempt.abandoned();
      throw error;
    }
    // A failed attempt stays counted (it was reserved before the check).
    if (!user || !matches) throw new Unauthorized("invalid_credentials", SAME_ANSWER);
    attempt.succeeded();
    return await this.#startSession(user);
  }

  /** Ends a session: every token naming it stops working at once. */
  async logout(sessionId: string): Promise<void> {
    await this.#store.deleteSession(sessionId);
    this.#onSessionEnded(sessionId);
  }

  /** The identity behind a token, or null if the token or its session is not valid. */
  async authenticate(token: string): Promise<Authenticated | null> {
    const claims = await this.#tokens.verify(token);
    if (!claims) return null;
    const session = await this.#store.findSession(claims.sessionId);
    if (!session || session.userId !== claims.userId) return null;
    const user = await this.#store.findUserById(session.userId);
    return user ? { user, sessionId: session.id } : null;
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

  async #startSession(user: UserRecord): Promise<AuthResult> {
    const now = this.#now();
    const expiresAt = new Date(now + SESSION_TTL_MS);
    const sessionId = crypto.randomUUID();
    await this.#store.createSession({
      id: sessionId,
      userId: user.id,
      createdAt: new Date(now),
      expiresAt,
    });
    const token = await this.#tokens.sign({ userId: user.id, sessionId, expiresAt });
    return { user: toPublicUser(user), token, expiresAt };
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
