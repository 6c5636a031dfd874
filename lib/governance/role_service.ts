/**
 * Roles (API.md "Permissions and roles"): listing them (members), creating, editing and deleting
 * them and giving or taking them (`manage_roles`, within the hierarchy). Every change is
 * audited in the same commit and published to the server, so every instance's permission
 * snapshot follows it from the event alone.
 */
import type { RoleRecord, UserRecord } from "../../db/store.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { memberAccess, plausibleId, requireServerPermission } from "../chat/membership.ts";
import { toWireMember, toWireRole } from "../chat/shapes.ts";
import { Invalid, NotFound } from "../errors.ts";
import { ROLES_PER_SERVER_MAX } from "../limits.ts";
import { toBits } from "../permissions/permission_names.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { ServerEvent, WireRole } from "../realtime/protocol.ts";
import { auditEntry, changesOf } from "./audit.ts";
import { requireGrantable } from "./permission_input.ts";
import { checkRoleFields } from "./role_input.ts";
import { requireBelowActor, requireOutranks } from "./role_hierarchy.ts";
import { movedRoles, placeRole } from "./role_positions.ts";

/** The fields an audit entry records of a role, in this order. */
const AUDITED = ["name", "permissions", "color", "position", "mentionable"] as const;

export class RoleService {
  constructor(readonly deps: ChatDeps) {}

  /** The server's roles, lowest first (`@everyone` first): for members. */
  async list(user: UserRecord, serverId: string): Promise<WireRole[]> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    return access.roles().map(toWireRole);
  }

  /** Creates a role at the bottom of the hierarchy (position 1; the others move up one). */
  async create(
    user: UserRecord,
    serverId: string,
    input: Record<string, unknown>,
  ): Promise<WireRole> {
    const access = await this.#manager(user, serverId, "create roles");
    const fields = checkRoleFields(input, "create");
    // The new role lands at 1 and everything above moves up, so it is below any actor who
    // holds a role at all; one whose rights come from @everyone alone has nothing below them.
    requireBelowActor(access, user.id, 0.5, "create");
    requireGrantable(access, user.id, toBits(fields.permissions ?? []));
    const roles = access.roles();
    if (roles.length >= ROLES_PER_SERVER_MAX) {
      throw new Invalid(
        "too_many_roles",
        `A server has at most ${ROLES_PER_SERVER_MAX} roles, @everyone included.`,
      );
    }
    const role: RoleRecord = {
      id: crypto.randomUUID(),
      serverId: access.serverId,
      name: fields.name!,
      color: fields.color ?? null,
      position: 1,
      permissions: fields.permissions ?? [],
      mentionable: fields.mentionable ?? false,
    };
    const now = this.deps.now();
    await this.deps.store.createRole(
      role,
      auditEntry(now, {
        serverId: role.serverId,
        action: "role_create",
        actorId: user.id,
        targetType: "role",
        targetId: role.id,
        changes: AUDITED.map((key) => ({ key, old: null, new: role[key] })),
      }),
    );
    this.#publish(role.serverId, { type: "role_created", role: toWireRole(role) });
    await this.#shift(access.serverId, [...roles, role], role.id, 1);
    return toWireRole(role);
  }

  /** Edits a role; `@everyone`'s name and position are fixed. Unchanged fields write nothing. */
  async update(
    user: UserRecord,
    serverId: string,
    roleId: string,
    input: Record<string, unknown>,
  ): Promise<WireRole> {
    const { access, role } = await this.#managed(user, serverId, roleId, "edit roles");
    const patch = checkRoleFields(input, "update");
    if (role.id === access.serverId) {
      if (patch.name !== undefined && patch.name !== role.name) {
        throw new Invalid("invalid_role_name", "@everyone's name cannot change.", "name");
      }
      if (patch.position !== undefined && patch.position !== role.position) {
        throw new Invalid("invalid_position", "@everyone's position is always 0.", "position");
      }
      delete patch.name;
      delete patch.position;
    }
    requireBelowActor(access, user.id, role.position, "edit");
    if (patch.position !== undefined) {
      requireBelowActor(access, user.id, patch.position, "move roles to positions of");
    }
    if (patch.permissions) {
      const added = toBits(patch.permissions) & ~toBits(role.permissions);
      requireGrantable(access, user.id, added);
    }
    const changes = changesOf(role, patch);
    if (changes.length === 0) return toWireRole(role);
    const placed = patch.position === undefined
      ? undefined
      : placeRole(access.roles(), access.serverId, role.id, patch.position);
    if (placed) patch.position = placed.get(role.id) ?? role.position;
    const moves = placed ? movedRoles(access.roles(), placed) : [];
    const updated = await this.deps.store.updateRole(
      access.serverId,
      role.id,
      patch,
      auditEntry(this.deps.now(), {
        serverId: access.serverId,
        action: "role_update",
        actorId: user.id,
        targetType: "role",
        targetId: role.id,
        changes: changesOf(role, patch),
      }),
    );
    if (!updated) throw new NotFound("not_found", "No such role.");
    this.#publish(access.serverId, { type: "role_updated", role: toWireRole(updated) });
    await this.#apply(access.serverId, moves, role.id);
    return toWireRole(updated);
  }

  /** Deletes a role: its members stop holding it, its overwrites go. Never `@everyone`. */
  async delete(user: UserRecord, serverId: string, roleId: string): Promise<void> {
    const manager = await this.#manager(user, serverId, "delete roles");
    if (roleId === manager.serverId) {
      throw new Invalid("cannot_delete_default_role", "@everyone cannot be deleted.");
    }
    const { access, role } = await this.#managed(user, serverId, roleId, "", manager);
    requireBelowActor(access, user.id, role.position, "delete");
    const deleted = await this.deps.store.deleteRole(
      access.serverId,
      role.id,
      auditEntry(this.deps.now(), {
        serverId: access.serverId,
        action: "role_delete",
        actorId: user.id,
        targetType: "role",
        targetId: role.id,
        changes: AUDITED.map((key) => ({ key, old: role[key], new: null })),
      }),
    );
    if (!deleted) return;
    this.#publish(access.serverId, {
      type: "role_deleted",
      serverId: access.serverId,
      roleId: role.id,
    });
  }

  /** Gives (`add`) or takes a role from a member; a member already in that state: nothing. */
  async setMemberRole(
    user: UserRecord,
    serverId: string,
    userId: string,
    roleId: string,
    add: boolean,
  ): Promise<void> {
    const verb = add ? "give" : "take away";
    const manager = await this.#manager(user, serverId, `${verb} roles`);
    if (roleId === manager.serverId) {
      throw new Invalid(
        "cannot_assign_default_role",
        "Every member holds @everyone; it cannot be given or taken.",
      );
    }
    const { access, role } = await this.#managed(user, serverId, roleId, "", manager);
    requireBelowActor(access, user.id, role.position, verb);
    // Others' roles only below one's own rank (API.md Precisions); one's own may be changed.
    if (userId !== user.id && access.isMember(userId)) {
      requireOutranks(access, user.id, userId, `${verb} roles of`);
    }
    const { store } = this.deps;
    if (!plausibleId(userId)) throw new NotFound("not_found", "No such member.");
    const [before, target] = await Promise.all([
      store.findMember(access.serverId, userId),
      store.findUserById(userId),
    ]);
    if (!before || !target) throw new NotFound("not_found", "No such member.");
    if (before.roleIds.includes(role.id) === add) return;
    const roleIds = add
      ? [...before.roleIds, role.id]
      : before.roleIds.filter((id) => id !== role.id);
    const after = await store.setMemberRole(
      access.serverId,
      userId,
      role.id,
      add,
      auditEntry(this.deps.now(), {
        serverId: access.serverId,
        action: add ? "member_role_add" : "member_role_remove",
        actorId: user.id,
        targetType: "member",
        targetId: userId,
        changes: changesOf({ roles: before.roleIds }, { roles: roleIds }),
      }),
    );
    if (!after) throw new NotFound("not_found", "No such member.");
    this.#publish(access.serverId, {
      type: "member_updated",
      serverId: access.serverId,
      member: toWireMember(after, target),
    });
  }

  /** The snapshot of a server where the user holds `manage_roles`. */
  async #manager(user: UserRecord, serverId: string, purpose: string): Promise<ServerAccess> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "manage_roles", purpose);
    return access;
  }

  /**
   * A role of a server where the user holds `manage_roles`; NotFound if there is none. A role
   * this snapshot has not heard of (created on another instance a moment ago) is looked up once
   * more in a snapshot read afresh.
   */
  async #managed(
    user: UserRecord,
    serverId: string,
    roleId: string,
    purpose: string,
    known?: ServerAccess,
  ): Promise<{ access: ServerAccess; role: RoleRecord }> {
    let access = known ?? await this.#manager(user, serverId, purpose);
    let role = access.role(roleId);
    if (!role && plausibleId(roleId)) {
      const fresh = await this.deps.access.reload(access.serverId);
      if (fresh?.isMember(user.id)) {
        access = fresh;
        role = access.role(roleId);
      }
    }
    if (!role) throw new NotFound("not_found", "No such role.");
    return { access, role };
  }

  /** Renumbers the roles around a placed one (`roles` as they are before the move). */
  async #shift(
    serverId: string,
    roles: RoleRecord[],
    roleId: string,
    position: number,
  ): Promise<void> {
    await this.#apply(serverId, movedRoles(roles, placeRole(roles, serverId, roleId, position)));
  }

  /**
   * Stores and publishes the position changes (not audited: they follow from the audited
   * create or move), except for `skip`, already written.
   */
  async #apply(
    serverId: string,
    moves: { role: RoleRecord; position: number }[],
    skip?: string,
  ): Promise<void> {
    const updated = await Promise.all(
      moves
        .filter(({ role }) => role.id !== skip)
        .map(({ role, position }) =>
          this.deps.store.updateRole(serverId, role.id, { position }, null)
        ),
    );
    for (const role of updated) {
      if (role) this.#publish(serverId, { type: "role_updated", role: toWireRole(role) });
    }
  }

  #publish(serverId: string, event: ServerEvent): void {
    this.deps.publish({ target: { servers: [serverId] }, event });
  }
}
