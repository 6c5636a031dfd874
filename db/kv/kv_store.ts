/**
 * The Deno KV backend: the embedded default, and the database of Deno Deploy.
 *
 * Keys (in the style of denoland/saaskit):
 * - `["users", id]` → UserRecord
 * - `["users_by_username", username]` → id (uniqueness through an atomic `versionstamp: null` check)
 * - `["sessions", id]` → SessionRecord, with `expireIn` so KV drops it by itself
 * - `["avatars", userId]` → AvatarMeta; the bytes in `["avatar_chunks", userId, version, i]`
 *   because one KV value holds at most 64 KiB
 * - `["settings", key]` → string
 */
import type { AvatarRecord, ProfilePatch, SessionRecord, Store, UserRecord } from "../store.ts";
import { UsernameTakenError } from "../store.ts";

/** Below KV's 64 KiB value limit, with room for the key. */
const AVATAR_CHUNK_BYTES = 60 * 1024;
/** Optimistic updates retry this often before giving up (only under heavy contention). */
const MAX_COMMIT_ATTEMPTS = 20;

interface AvatarMeta {
  contentType: string;
  version: string;
  chunks: number;
  size: number;
}

/** Opens a KV store; `path` undefined opens the platform's database on Deno Deploy. */
export async function openKvStore(path?: string): Promise<KvStore> {
  return new KvStore(await Deno.openKv(path));
}

export class KvStore implements Store {
  constructor(readonly kv: Deno.Kv) {}

  async createUser(user: UserRecord): Promise<void> {
    const result = await this.kv.atomic()
      .check({ key: ["users_by_username", user.username], versionstamp: null })
      .check({ key: ["users", user.id], versionstamp: null })
      .set(["users", user.id], user)
      .set(["users_by_username", user.username], user.id)
      .commit();
    if (!result.ok) throw new UsernameTakenError(user.username);
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    return (await this.kv.get<UserRecord>(["users", id])).value;
  }

  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const id = (await this.kv.get<string>(["users_by_username", username])).value;
    return id === null ? null : await this.findUserById(id);
  }

  updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord | null> {
    // A key present with the value undefined means "unchanged", not "erase".
    const changes = Object.fromEntries(
      Object.entries(patch).filter(([, value]) => value !== undefined),
    );
    return this.#updateUser(id, (user) => ({ ...user, ...changes }));
  }

  async putAvatar(userId: string, avatar: AvatarRecord): Promise<UserRecord | null> {
    if ((await this.findUserById(userId)) === null) return null;
    const previous = (await this.kv.get<AvatarMeta>(["avatars", userId])).value;
    // Chunks go under the new version first; the meta key flips to them in one commit, so a
    // reader sees the old image or the new one, never a mix.
    const chunks = Math.ceil(avatar.bytes.length / AVATAR_CHUNK_BYTES);
    for (let i = 0; i < chunks; i++) {
      const chunk = avatar.bytes.slice(i * AVATAR_CHUNK_BYTES, (i + 1) * AVATAR_CHUNK_BYTES);
      await this.kv.set(["avatar_chunks", userId, avatar.version, i], chunk);
    }
    const meta: AvatarMeta = {
      contentType: avatar.contentType,
      version: avatar.version,
      chunks,
      size: avatar.bytes.length,
    };
    const user = await this.#updateUser(
      userId,
      (user) => ({ ...user, avatarVersion: avatar.version }),
      (op) => op.set(["avatars", userId], meta),
    );
    if (previous) await this.#deleteChunks(userId, previous.version);
    return user;
  }

  async findAvatar(userId: string): Promise<AvatarRecord | null> {
    const meta = (await this.kv.get<AvatarMeta>(["avatars", userId])).value;
    if (meta === null) return null;
    const bytes = new Uint8Array(meta.size);
    let offset = 0;
    for await (
      const entry of this.kv.list<Uint8Array>({
        prefix: ["avatar_chunks", userId, meta.version],
      })
    ) {
      bytes.set(entry.value, offset);
      offset += entry.value.length;
    }
    // A concurrent upload may have deleted these chunks after we read the meta key.
    if (offset !== meta.size) return null;
    return { contentType: meta.contentType, version: meta.version, bytes };
  }

  async createSession(session: SessionRecord): Promise<void> {
    const expireIn = Math.max(1, session.expiresAt.getTime() - Date.now());
    await this.kv.set(["sessions", session.id], session, { expireIn });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const session = (await this.kv.get<SessionRecord>(["sessions", id])).value;
    // expireIn deletes lazily; the expiry time is the truth.
    if (session === null || session.expiresAt.getTime() <= Date.now()) return null;
    return session;
  }

  async deleteSession(id: string): Promise<void> {
    await this.kv.delete(["sessions", id]);
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    const stored = await this.kv.atomic()
      .check({ key: ["settings", key], versionstamp: null })
      .set(["settings", key], value)
      .commit();
    if (stored.ok) return value;
    const existing = await this.kv.get<string>(["settings", key]);
    return existing.value!;
  }

  close(): Promise<void> {
    this.kv.close();
    return Promise.resolve();
  }

  /** Read-modify-write of one user with a versionstamp check, retried on contention. */
  async #updateUser(
    id: string,
    change: (user: UserRecord) => UserRecord,
    alsoInCommit: (op: Deno.AtomicOperation) => Deno.AtomicOperation = (op) => op,
  ): Promise<UserRecord | null> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const entry = await this.kv.get<UserRecord>(["users", id]);
      if (entry.value === null) return null;
      const updated = change(entry.value);
      const op = this.kv.atomic().check(entry).set(["users", id], updated);
      if ((await alsoInCommit(op).commit()).ok) return updated;
    }
    throw new Error(`Could not update user ${id}: ${MAX_COMMIT_ATTEMPTS} conflicting writes`);
  }

  async #deleteChunks(userId: string, version: string): Promise<void> {
    for await (const entry of this.kv.list({ prefix: ["avatar_chunks", userId, version] })) {
      await this.kv.delete(entry.key);
    }
  }
}
