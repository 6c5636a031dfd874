/**
 * Moderation (API.md "Managing servers, channels, invites, members"): kicks (`kick_members`),
 * bans (`ban_members`), time-outs (`moderate_members`).
 *
 * The actor must outrank the target (their highest role above the target's; the owner above
 * everyone, nobody above the owner: `403 role_hierarchy`), and nobody acts on themselves
 * (`400 cannot_moderate_self`). Every action is audited with its reason in the same commit.
 * A kicked or banned member leaves with `member_left {reason}` and their own sockets get
 * `server_deleted` (the hub unsubscribes them).
 */
import type { UserRecord } from "../../db/store.ts";
import { usersInOrder } from "../chat/authors.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { memberAccess, requireServerPermission } from "../chat/membership.ts";
import { toWireMember } from "../chat/shapes.ts";
import { Forbidden, Invalid, NotFound } from "../errors.ts";
import { ID_INPUT_MAX } from "../limits.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import { toPublicUser } from "../public_user.ts";
import type { WireBan, WireMember } from "../realtime/protocol.ts";
import { auditEntry, type AuditInput } from "./audit.ts";
import { checkDeleteMessagesSeconds, checkTimeoutUntil, cleanReason } from "./moderation_input.ts";
import { purgeMessages } from "./moderation_purge.ts";

export interface BanInput {
  reason?: unknown;
  deleteMessagesSeconds?: unknown;
}

export interface TimeoutInput {
  timeoutUntil?: unknown;
  reason?: unknown;
}

/** Refuses acting on oneself, on the owner, or on a member one does not outrank. */
function checkTarget(access: ServerAccess, actorId: string, targetId: string, verb: string) {
  if (targetId === actorId) {
    throw new Invalid("cannot_moderate_self", `You cannot ${verb} yourself.`);
  }
  if (targetId === access.server.ownerId) {
    throw new Forbidden("role_hierarchy", `Nobody can ${verb} the server's owner.`);
  }
  if (access.isMember(targetId) && !access.outranks(actorId, targetId)) {
    throw new Forbidden(
      "role_hierarchy",
      `You can only ${verb} members whose highest role is below yours.`,
    );
  }
}

function noSuchMember(): NotFound {
  return new NotFound("not_found", "No such member.");
}

export class ModerationService {
  constructor(readonly deps: ChatDeps) {}

  /** Removes a member (`kick_members`); they may join again with an invite. */
  async kick(
    actor: UserRecord,
    serverId: string,
    targetId: string,
    input: { reason?: unknown },
  ): Promise<void> {
    const access = await memberAccess(this.deps, actor, serverId, { confirm: true });
    requireServerPermission(access, actor.id, "kick_members", "kick members");
    const reason = cleanReason(input.reason);
    if (!access.isMember(targetId)) throw noSuchMember();
    checkTarget(access, actor.id, targetId, "kick");
    const user = await this.#user(targetId);
    const audit = this.#audit(actor, serverId, targetId, { action: "member_kick", reason });
    if (!(await this.deps.store.kickMember(serverId, targetId, audit))) throw noSuchMember();
    this.#removed(serverId, user, "kicked");
  }

  /**
   * Bans a user (`ban_members`), a member or not: a member is removed; they cannot join again
   * (`403 banned`). With `deleteMessagesSeconds`, their messages in the server from that far
   * back are deleted.
   */
  async ban(actor: UserRecord, serverId: string, targetId: string, input: BanInput) {
    const access = await memberAccess(this.deps, actor, serverId, { confirm: true });
    requireServerPermission(access, actor.id, "ban_members", "ban members");
    const reason = cleanReason(input.reason);
    const seconds = checkDeleteMessagesSeconds(input.deleteMessagesSeconds);
    checkTarget(access, actor.id, targetId, "ban");
    const user = await this.#user(targetId);
    const now = this.deps.now();
    const audit = this.#audit(actor, serverId, targetId, {
      action: "member_ban",
      reason,
      changes: seconds ? [{ key: "deleteMessagesSeconds", old: null, new: seconds }] : [],
    });
    const { wasMember } = await this.deps.store.banMember(
      { serverId, userId: targetId, reason, createdAt: new Date(now) },
      audit,
    );
    if (wasMember) this.#removed(serverId, user, "banned");
    if (seconds > 0) await purgeMessages(this.deps, access, targetId, now - seconds * 1000);
  }

  /** Lifts a ban (`ban_members`). */
  async unban(actor: UserRecord, serverId: string, targetId: string): Promise<void> {
    const access = await memberAccess(this.deps, actor, serverId, { confirm: true });
    requireServerPermission(access, actor.id, "ban_members", "lift bans");
    const audit = this.#audit(actor, serverId, targetId, { action: "member_unban" });
    const lifted = targetId.length <= ID_INPUT_MAX &&
      await this.deps.store.unbanMember(serverId, targetId, audit);
    if (!lifted) throw new NotFound("not_found", "This user is not banned here.");
  }

  /** The server's bans, oldest first (`ban_members`); bans of deleted accounts are left out. */
  async bans(actor: UserRecord, serverId: string): Promise<WireBan[]> {
    const access = await memberAccess(this.deps, actor, serverId, { confirm: true });
    requireServerPermission(access, actor.id, "ban_members", "see this server's bans");
    const bans = await this.deps.store.listBans(serverId);
    const users = new Map(
      (await usersInOrder(this.deps.store, bans.map((ban) => ban.userId))).map((u) => [u.id, u]),
    );
    return bans.flatMap((ban) => {
      const user = users.get(ban.userId);
      if (!user) return [];
      return [{
        user: toPublicUser(user),
        reason: ban.reason,
        createdAt: ban.createdAt.toISOString(),
      }];
    });
  }

  /**
   * Times a member out until a time at most 28 days ahead, or (null) lifts it
   * (`moderate_members`); published as `member_updated`.
   */
  async timeout(
    actor: UserRecord,
    serverId: string,
    targetId: string,
    input: TimeoutInput,
  ): Promise<WireMember> {
    const access = await memberAccess(this.deps, actor, serverId, { confirm: true });
    requireServerPermission(access, actor.id, "moderate_members", "time out members");
    if (input.timeoutUntil === undefined) {
      throw new Invalid(
        "invalid_timeout",
        "timeoutUntil is required: a time, or null to lift the time-out.",
        "timeoutUntil",
      );
    }
    const now = this.deps.now();
    const until = checkTimeoutUntil(input.timeoutUntil, now);
    const reason = cleanReason(input.reason);
    const before = access.member(targetId);
    if (!before) throw noSuchMember();
    checkTarget(access, actor.id, targetId, "time out");
    const user = await this.#user(targetId);
    const old = before.timeoutUntil?.toISOString() ?? null;
    const next = until?.toISOString() ?? null;
    if (old === next) return toWireMember(before, user);
    const member = await this.deps.store.setMemberTimeout(
      serverId,
      targetId,
      until,
      this.#audit(actor, serverId, targetId, {
        action: "member_timeout",
        reason,
        changes: [{ key: "timeoutUntil", old, new: next }],
      }),
    );
    if (!member) throw noSuchMember();
    const wire = toWireMember(member, user);
    this.deps.publish({
      target: { servers: [serverId] },
      event: { type: "member_updated", serverId, member: wire },
    });
    return wire;
  }

  async #user(id: string): Promise<UserRecord> {
    const user = id.length <= ID_INPUT_MAX ? await this.deps.store.findUserById(id) : null;
    if (!user) throw new NotFound("not_found", "No such user.");
    return user;
  }

  #audit(
    actor: UserRecord,
    serverId: string,
    targetId: string,
    input: Pick<AuditInput, "action" | "reason" | "changes">,
  ) {
    return auditEntry(this.deps.now(), {
      serverId,
      actorId: actor.id,
      targetType: "member",
      targetId,
      ...input,
    });
  }

  /** Tells the server the user is gone, and the user's sockets that the server is. */
  #removed(serverId: string, user: UserRecord, reason: "kicked" | "banned"): void {
    this.deps.publish({
      target: { servers: [serverId] },
      event: { type: "member_left", serverId, user: toPublicUser(user), reason },
    });
    this.deps.publish({ target: { user: user.id }, event: { type: "server_deleted", serverId } });
  }
}
