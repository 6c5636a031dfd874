/** The `user` object of the API contract, and how a stored user becomes one. */
import type { UserRecord } from "../db/store.ts";
import type { WireUser } from "./realtime/protocol.ts";

/** The API's `user` (defined with the other wire shapes in realtime/protocol.ts). */
export type PublicUser = WireUser;

/** The avatar URL changes with each upload, so browsers may cache each version forever. */
export function avatarUrl(user: Pick<UserRecord, "id" | "avatarVersion">): string {
  const base = `/api/users/${encodeURIComponent(user.id)}/avatar`;
  return user.avatarVersion ? `${base}?v=${encodeURIComponent(user.avatarVersion)}` : base;
}

/** Strips the secrets and formats the times. */
export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    avatarUrl: avatarUrl(user),
    createdAt: user.createdAt.toISOString(),
  };
}
