/**
 * A member's effective permissions, in Discord's order (API.md "Permissions and roles"):
 *
 *  1. the server's owner holds every permission;
 *  2. otherwise the union of `@everyone`'s and the member's roles' permissions;
 *  3. `administrator` in that union → every permission, channel overwrites ignored;
 *  4. in a channel, its overwrites: `@everyone`'s deny then allow; all the member's roles'
 *     denies together, then all their allows; the member's own deny, then allow.
 *
 * Pure: no I/O, no clock (a time-out is passed in). `permissionBits` is the fast form the
 * permission cache uses; `evaluate` also writes down each step, for
 * `GET /api/channels/:id/permissions` and the permission editor's "why".
 */
import { ALL_PERMISSIONS, bitOf, has, toNames } from "./permission_names.ts";
import type { Permission, PermissionBits } from "./permission_names.ts";

/** One step of an evaluation: where the permissions came from, and what it allowed and denied. */
export interface EvaluationStep {
  /** Readable: "@everyone", `role "Moderators"`, `channel overwrite for role "Muted"`… */
  source: string;
  allow: Permission[];
  deny: Permission[];
}

/** The result of an evaluation and how it was reached. */
export interface Evaluation {
  bits: PermissionBits;
  steps: EvaluationStep[];
}

/** A role as evaluation sees it: its name (for the steps) and its permissions as bits. */
export interface RoleGrant {
  id: string;
  name: string;
  bits: PermissionBits;
}

/** An overwrite as evaluation sees it (`targetId`: the role's or the member's id). */
export interface OverwriteBits {
  targetId: string;
  type: "role" | "member";
  allow: PermissionBits;
  deny: PermissionBits;
}

/** Who is evaluated, and where. */
export interface EvaluationInput {
  userId: string;
  isOwner: boolean;
  /** The server's `@everyone` role (its id is the server's id). */
  everyone: RoleGrant;
  /** The member's other roles. */
  roles: readonly RoleGrant[];
  /** The channel's overwrites; absent: server-level permissions (no channel). */
  overwrites?: readonly OverwriteBits[];
  /** Set when the member is timed out now (evaluate's steps name it; see TIMED_OUT_DENIED). */
  timedOutUntil?: Date;
}

/**
 * What a time-out takes away (the member "may not send, react or type"); owners and
 * administrators are never held by one (as in Discord).
 */
export const TIMED_OUT_DENIED: PermissionBits = bitOf("send_messages") | bitOf("add_reactions") |
  bitOf("attach_files");

type Recorder = (source: string, allow: PermissionBits, deny: PermissionBits) => void;

/** The effective permissions as bits, without the steps (the permission cache's form). */
export function permissionBits(input: EvaluationInput): PermissionBits {
  return run(input, undefined);
}

/** The effective permissions with every step that led to them. */
export function evaluate(input: EvaluationInput): Evaluation {
  const steps: EvaluationStep[] = [];
  const bits = run(input, (source, allow, deny) => {
    steps.push({ source, allow: toNames(allow), deny: toNames(deny) });
  });
  return { bits, steps };
}

function run(input: EvaluationInput, record: Recorder | undefined): PermissionBits {
  if (input.isOwner) {
    record?.("server owner: every permission", ALL_PERMISSIONS, 0);
    return ALL_PERMISSIONS;
  }
  let bits = input.everyone.bits;
  record?.("@everyone", input.everyone.bits, 0);
  for (const role of input.roles) {
    bits |= role.bits;
    record?.(`role "${role.name}"`, role.bits, 0);
  }
  if (has(bits, "administrator")) {
    record?.("administrator: every permission, channel overwrites ignored", ALL_PERMISSIONS, 0);
    return ALL_PERMISSIONS;
  }
  if (input.overwrites) bits = applyOverwrites(bits, input, input.overwrites, record);
  if (input.timedOutUntil) {
    record?.(`timed out until ${input.timedOutUntil.toISOString()}`, 0, TIMED_OUT_DENIED);
    bits &= ~TIMED_OUT_DENIED;
  }
  return bits;
}

/** Step 4: the channel's overwrites, @everyone's, then the roles' together, then the member's. */
function applyOverwrites(
  base: PermissionBits,
  input: EvaluationInput,
  overwrites: readonly OverwriteBits[],
  record: Recorder | undefined,
): PermissionBits {
  let bits = base;
  const everyone = overwrites.find((o) => o.type === "role" && o.targetId === input.everyone.id);
  if (everyone) {
    bits = (bits & ~everyone.deny) | everyone.allow;
    record?.("channel overwrite for @everyone", everyone.allow, everyone.deny);
  }
  let roleAllow = 0;
  let roleDeny = 0;
  const names: string[] = [];
  for (const role of input.roles) {
    const overwrite = overwrites.find((o) => o.type === "role" && o.targetId === role.id);
    if (!overwrite) continue;
    roleAllow |= overwrite.allow;
    roleDeny |= overwrite.deny;
    names.push(`"${role.name}"`);
  }
  if (names.length > 0) {
    // All denies first, then all allows: one role's allow beats another role's deny.
    bits = (bits & ~roleDeny) | roleAllow;
    const what = names.length === 1 ? "role" : "roles";
    record?.(`channel overwrites for ${what} ${names.join(", ")}`, roleAllow, roleDeny);
  }
  const own = overwrites.find((o) => o.type === "member" && o.targetId === input.userId);
  if (own) {
    bits = (bits & ~own.deny) | own.allow;
    record?.("channel overwrite for the member", own.allow, own.deny);
  }
  return bits;
}
