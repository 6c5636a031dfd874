/**
 * Channel overwrites (API.md "Permissions and roles"): setting and removing a role's or a
 * member's overwrite (`manage_roles` in the channel, within the hierarchy, only permissions the
 * actor holds there), and the step-by-step explanation of someone's permissions in a channel.
 * A change is audited in the same commit and published as `channel_updated` with the channel's
 * new overwrites, which every instance's snapshot and the clients take as they are.
 */
import type { OverwriteRecord, UserRecord } from "../../db/store.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import {
  type ChannelAccess,
  plausibleId,
  requireChannelPermission,
  viewableChannel,
} from "../chat/membership.ts";
import { toWireChannel } from "../chat/shapes.ts";
import { Invalid, NotFound } from "../errors.ts";
import { OVERWRITES_PER_CHANNEL_MAX } from "../limits.ts";
import type { EvaluationStep } from "../permissions/evaluate.ts";
import type { Permission } from "../permissions/permission_names.ts";
import { auditEntry } from "./audit.ts";
import type { AuditChange } from "../../db/store.ts";
import { changedBits, checkOverwriteBody } from "./overwrite_input.ts";
import { requireGrantable } from "./permission_input.ts";
import { requireBelowActor, requireOutranks } from "./role_hierarchy.ts";

/** `GET /api/channels/:id/permissions`: the result and each step that led to it. */
export interface PermissionExplanation {
  permissions: Permission[];
  steps: EvaluationStep[];
}

/** An overwrite's fields as audit changes, from `before` (absent: none) to `after`. */
function overwriteChanges(
  targetId: string,
  before: OverwriteRecord | undefined,
  after: OverwriteRecord | undefined,
): AuditChange[] {
  return [
    { key: "id", old: before ? targetId : null, new: after ? targetId : null },
    ...(["type", "allow", "deny"] as const).flatMap((key) => {
      const old = before?.[key] ?? null;
      const next = after?.[key] ?? null;
      return JSON.stringify(old) === JSON.stringify(next) ? [] : [{ key, old, new: next }];
    }),
  ];
}

export class OverwriteService {
  constructor(readonly deps: ChatDeps, readonly places: ChannelPlaces) {}

  /** Creates or replaces the overwrite of a role or member on a channel. */
  async put(
    user: UserRecord,
    channelId: string,
    targetId: string,
    input: Record<string, unknown>,
  ): Promise<void> {
    const found = await this.#manager(user, channelId);
    const body = checkOverwriteBody(input);
    const { channel, access } = await this.#withTarget(found, user, targetId, body.type);
    const existing = access.overwritesOf(channel.id);
    const before = existing.find((o) => o.targetId === targetId);
    const overwrite: OverwriteRecord = { channelId: channel.id, targetId, ...body };
    if (before && overwriteChanges(targetId, before, overwrite).length === 1) return;
    if (!before && existing.length >= OVERWRITES_PER_CHANNEL_MAX) {
      throw new Invalid(
        "too_many_overwrites",
        `A channel has at most ${OVERWRITES_PER_CHANNEL_MAX} overwrites.`,
      );
    }
    requireGrantable(
      access,
      user.id,
      changedBits(before, overwrite),
      access.channelPermissions(user.id, channel.id),
    );
    await this.deps.store.putOverwrite(
      overwrite,
      auditEntry(this.deps.now(), {
        serverId: channel.serverId,
        action: "overwrite_update",
        actorId: user.id,
        targetType: "overwrite",
        targetId: channel.id,
        changes: overwriteChanges(targetId, before, overwrite),
      }),
    );
    await this.#published({ channel, access });
  }

  /** Removes an overwrite; none there: nothing happens (204 all the same). */
  async delete(user: UserRecord, channelId: string, targetId: string): Promise<void> {
    const found = await this.#manager(user, channelId);
    const { channel, access } = await this.#withOverwrite(found, user, targetId);
    const before = access.overwritesOf(channel.id).find((o) => o.targetId === targetId);
    if (!before) return;
    // A member's overwrite may outlive their membership; a role's goes with the role.
    const role = before.type === "role" ? access.role(targetId) : undefined;
    if (role) requireBelowActor(access, user.id, role.position, "remove overwrites of");
    if (before.type === "member" && targetId !== user.id && access.isMember(targetId)) {
      requireOutranks(access, user.id, targetId, "remove the overwrites of");
    }
    requireGrantable(
      access,
      user.id,
      changedBits(before, { allow: [], deny: [] }),
      access.channelPermissions(user.id, channel.id),
    );
    const deleted = await this.deps.store.deleteOverwrite(
      channel.id,
      targetId,
      auditEntry(this.deps.now(), {
        serverId: channel.serverId,
        action: "overwrite_delete",
        actorId: user.id,
        targetType: "overwrite",
        targetId: channel.id,
        changes: overwriteChanges(targetId, before, undefined),
      }),
    );
    if (deleted) await this.#published({ channel, access });
  }

  /**
   * How `userId`'s permissions in the channel come about (the caller's own by default; someone
   * else's needs `manage_roles` there).
   */
  async explain(
    user: UserRecord,
    channelId: string,
    userId?: string,
  ): Promise<PermissionExplanation> {
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm: true,
    });
    const subject = userId || user.id;
    if (subject !== user.id) {
      requireChannelPermission(
        access,
        user.id,
        channel.id,
        "manage_roles",
        "see other members' permissions",
      );
      if (!access.isMember(subject)) throw new NotFound("not_found", "No such member.");
    }
    return access.explain(subject, channel.id, this.deps.now());
  }

  /** A channel the user may view and manage the permissions of. */
  async #manager(user: UserRecord, channelId: string): Promise<ChannelAccess> {
    const found = await viewableChannel(this.deps, this.places, user, channelId, {
      confirm: true,
    });
    requireChannelPermission(
      found.access,
      user.id,
      found.channel.id,
      "manage_roles",
      "change this channel's permissions",
    );
    return found;
  }

  /**
   * The target exists in the server (looked up once more in a snapshot read afresh if this one
   * has not heard of it yet); a role's must be below the actor's highest.
   */
  async #withTarget(
    found: ChannelAccess,
    user: UserRecord,
    targetId: string,
    type: OverwriteRecord["type"],
  ): Promise<ChannelAccess> {
    const known = (access: ChannelAccess["access"]) =>
      type === "role" ? access.role(targetId) !== undefined : access.isMember(targetId);
    let { access } = found;
    if (!known(access) && plausibleId(targetId)) {
      const fresh = await this.deps.access.reload(access.serverId);
      if (fresh?.channel(found.channel.id) && fresh.isMember(user.id)) access = fresh;
    }
    if (!known(access)) {
      throw new Invalid(
        "invalid_overwrite",
        `No such ${type === "role" ? "role" : "member"} in this server.`,
        "targetId",
      );
    }
    const role = access.role(targetId);
    if (type === "role" && role) {
      requireBelowActor(access, user.id, role.position, "set overwrites for");
    }
    // A member's own overwrite cannot raise them (only permissions they hold can be changed).
    if (type === "member" && targetId !== user.id) {
      requireOutranks(access, user.id, targetId, "set overwrites for");
    }
    return { channel: access.channel(found.channel.id) ?? found.channel, access };
  }

  /**
   * The snapshot that knows the overwrite, read afresh if this one does not: the overwrite may
   * be one whose event this instance never heard (lost while its bus connection was down), and
   * answering "nothing to remove" would leave it in the store for good.
   */
  async #withOverwrite(
    found: ChannelAccess,
    user: UserRecord,
    targetId: string,
  ): Promise<ChannelAccess> {
    const knows = (access: ChannelAccess["access"]) =>
      access.overwritesOf(found.channel.id).some((o) => o.targetId === targetId);
    if (knows(found.access) || !plausibleId(targetId)) return found;
    const fresh = await this.deps.access.reload(found.access.serverId);
    const channel = fresh?.channel(found.channel.id);
    if (!fresh || !channel || !fresh.isMember(user.id)) return found;
    return { channel, access: fresh };
  }

  /** Publishes the channel with its overwrites as now stored, to those who may view it. */
  async #published({ channel }: ChannelAccess): Promise<void> {
    const overwrites = (await this.deps.store.listOverwrites(channel.serverId))
      .filter((overwrite) => overwrite.channelId === channel.id);
    this.deps.publish({
      target: { servers: [channel.serverId], channel: channel.id },
      event: { type: "channel_updated", channel: toWireChannel(channel, overwrites) },
    });
  }
}
