/**
 * The PostgreSQL backend (postgres.js), used when `DATABASE_URL` is set.
 *
 * Rows are snake_case; they become camelCase records here, at the storage boundary, and nowhere
 * else. Uniqueness of usernames is the database's job (a unique index).
 */
import postgres from "postgres";
import type { Sql } from "postgres";
import type { AvatarRecord, ProfilePatch, SessionRecord, Store, UserRecord } from "../store.ts";
import { UsernameTakenError } from "../store.ts";
import { migrate } from "./migrate.ts";

const UNIQUE_VIOLATION = "23505";

export interface PostgresStoreOptions {
  /** A schema to create and use instead of `public` (tests give each run its own). */
  schema?: string;
  /** Connection pool size. */
  max?: number;
}

/** Connects, applies pending migrations and returns the store. */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const { schema } = options;
  if (schema !== undefined) {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin`CREATE SCHEMA IF NOT EXISTS ${admin(schema)}`;
    } finally {
      await admin.end();
    }
  }
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: schema === undefined ? {} : { search_path: schema },
  });
  await migrate(sql);
  return new PostgresStore(sql);
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  bio: string;
  password_hash: string;
  avatar_version: string | null;
  created_at: Date;
}

interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    bio: row.bio,
    passwordHash: row.password_hash,
    avatarVersion: row.avatar_version,
    createdAt: row.created_at,
  };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export class PostgresStore implements Store {
  constructor(readonly sql: Sql) {}

  async createUser(user: UserRecord): Promise<void> {
    try {
      await this.sql`INSERT INTO users
        (id, username, display_name, bio, password_hash, avatar_version, created_at)
        VALUES (${user.id}, ${user.username}, ${user.displayName}, ${user.bio},
          ${user.passwordHash}, ${user.avatarVersion}, ${user.createdAt})`;
    } catch (error) {
      if (error instanceof postgres.PostgresError && error.code === UNIQUE_VIOLATION) {
        throw new UsernameTakenError(user.username);
      }
      throw error;
    }
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`SELECT * FROM users WHERE id = ${id}`;
    return row ? toUser(row) : null;
  }

  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`SELECT * FROM users WHERE username = ${username}`;
    return row ? toUser(row) : null;
  }

  async updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord | null> {
    const [row] = await this.sql<UserRow[]>`UPDATE users SET
        display_name = coalesce(${patch.displayName ?? null}, display_name),
        bio = coalesce(${patch.bio ?? null}, bio)
      WHERE id = ${id} RETURNING *`;
    return row ? toUser(row) : null;
  }

  putAvatar(userId: string, avatar: AvatarRecord): Promise<UserRecord | null> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<UserRow[]>`UPDATE users SET avatar_version = ${avatar.version}
        WHERE id = ${userId} RETURNING *`;
      if (!row) return null;
      await tx`INSERT INTO avatars (user_id, content_type, bytes, version)
        VALUES (${userId}, ${avatar.contentType}, ${avatar.bytes}, ${avatar.version})
        ON CONFLICT (user_id) DO UPDATE SET content_type = excluded.content_type,
          bytes = excluded.bytes, version = excluded.version`;
      return toUser(row);
    });
  }

  async findAvatar(userId: string): Promise<AvatarRecord | null> {
    const [row] = await this.sql<{ content_type: string; bytes: Uint8Array; version: string }[]>`
      SELECT content_type, bytes, version FROM avatars WHERE user_id = ${userId}`;
    if (!row) return null;
    return {
      contentType: row.content_type,
      bytes: new Uint8Array(row.bytes),
      version: row.version,
    };
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.sql`INSERT INTO sessions (id, user_id, created_at, expires_at)
      VALUES (${session.id}, ${session.userId}, ${session.createdAt}, ${session.expiresAt})`;
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const [row] = await this.sql<SessionRow[]>`SELECT * FROM sessions
      WHERE id = ${id} AND expires_at > now()`;
    return row ? toSession(row) : null;
  }

  async deleteSession(id: string): Promise<void> {
    await this.sql`DELETE FROM sessions WHERE id = ${id}`;
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    await this.sql`INSERT INTO settings (key, value) VALUES (${key}, ${value})
      ON CONFLICT (key) DO NOTHING`;
    const [row] = await this.sql<
      { value: string }[]
    >`SELECT value FROM settings WHERE key = ${key}`;
    return row.value;
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
