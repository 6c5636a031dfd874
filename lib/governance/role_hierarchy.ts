/**
 * The hierarchy rule for roles (API.md Precisions): one may create, edit, delete, give or take
 * only roles below one's own highest role; the owner is above every role.
 */
import { Forbidden } from "../errors.ts";
import type { ServerAccess } from "../permissions/server_access.ts";

/** Throws `403 role_hierarchy` unless `position` is below the actor's highest role. */
export function requireBelowActor(
  access: ServerAccess,
  actorId: string,
  position: number,
  purpose: string,
): void {
  if (position < access.highestPosition(actorId)) return;
  throw new Forbidden(
    "role_hierarchy",
    `You can only ${purpose} roles below your highest role.`,
  );
}

/**
 * Throws `403 role_hierarchy` unless the actor outranks the member (API.md: one acts only on
 * members whose highest role is below one's own; the owner is above everyone). Acting on
 * oneself is left to each rule (a member may drop their own role, never raise themselves).
 */
export function requireOutranks(
  access: ServerAccess,
  actorId: string,
  memberId: string,
  purpose: string,
): void {
  if (access.outranks(actorId, memberId)) return;
  throw new Forbidden(
    "role_hierarchy",
    `You can only ${purpose} members whose highest role is below yours.`,
  );
}
