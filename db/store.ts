/**
 * The storage interface every backend implements (Deno KV in db/kv, PostgreSQL in db/postgres).
 *
 * Services in lib/ only ever talk to a `Store`; the contract suite in tests/store_contract.ts
 * runs the same cases against each implementation so both behave identically.
 */

/** A user as stored, including the secret parts the API never returns. */
export interface UserRecord {
  id: string;
  /** Already lowercased and validated. */
  username: string;
  displayName: string;
  bio: string;
  passwordHash: string;
  /** Changes with each upload, so avatar URLs can be cached forever; null: the generated one. */
  avatarVersion: string | null;
  createdAt: Date;
}

/** The fields of a profile a user can change. */
export type ProfilePatch = Partial<Pick<UserRecord, "displayName" | "bio">>;

/** One login. Deleting it revokes every token that names it. */
export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** An uploaded avatar image. */
export interface AvatarRecord {
  contentType: string;
  bytes: Uint8Array;
  version: string;
}

/** Thrown by `createUser` when the username is already taken. */
export class UsernameTakenError extends Error {
  constructor(username: string) {
    super(`Username "${username}" is already taken`);
    this.name = "UsernameTakenError";
  }
}

export interface Store {
  /** Stores a new user; throws `UsernameTakenError` if the username exists, even under races. */
  createUser(user: UserRecord): Promise<void>;
  findUserById(id: string): Promise<UserRecord | null>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  /** Applies a profile patch; null if the user does not exist. */
  updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord | null>;
  /** Replaces the user's avatar and bumps `avatarVersion`; null if the user does not exist. */
  putAvatar(userId: string, avatar: AvatarRecord): Promise<UserRecord | null>;
  /** The user's uploaded avatar, or null if they never uploaded one. */
  findAvatar(userId: string): Promise<AvatarRecord | null>;

  createSession(session: SessionRecord): Promise<void>;
  /** The session, or null if it never existed, was deleted or has expired. */
  findSession(id: string): Promise<SessionRecord | null>;
  deleteSession(id: string): Promise<void>;

  /**
   * Returns the stored value of a setting, storing `value` first if there is none. Two
   * instances racing here get the same answer.
   */
  getOrCreateSetting(key: string, value: string): Promise<string>;

  close(): Promise<void>;
}
