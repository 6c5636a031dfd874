/**
 * Invites: a code a member with `create_invites` makes (optionally expiring, or good for a
 * number of uses), that anyone holding it can preview, even logged out, and join with. An
 * unknown, expired or used-up code is `404 invite_invalid` everywhere; a banned user gets
 * `403 banned`. Creating and deleting are audited (`invite_create`, `invite_delete`).
 */
import type { IconRecord, InviteRecord, ServerRecord, UserRecord } from "../../db/store.ts";
import type { StoredImage } from "../../db/blob_moves.ts";
import { type ErrorCode, Forbidden, Invalid, NotFound } from "../errors.ts";
import { auditEntry } from "../governance/audit.ts";
import { isUsable, toWireInvite } from "../governance/invite_shape.ts";
import {
  INVITE_CODE_BYTES,
  INVITE_CODE_INPUT_MAX,
  INVITE_MAX_AGE_MAX_S,
  INVITE_MAX_USES_MAX,
} from "../limits.ts";
import { ServerAccess } from "../permissions/server_access.ts";
import { toPublicUser } from "../public_user.ts";
import type { WireInvite } from "../realtime/protocol.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberAccess, requireServerPermission } from "./membership.ts";
import type { ServerWithChannels } from "./server_service.ts";
import { toWireChannel, toWireServer } from "./shapes.ts";

/** The body of `POST /api/servers/:id/invites` (absent fields: never expires, unlimited). */
export interface InviteInput {
  maxAgeSeconds?: unknown;
  maxUses?: unknown;
}

/** `201 {code, invite}`. */
export interface CreatedInvite {
  code: string;
  invite: WireInvite;
}

/** A URL-safe random code of INVITE_CODE_BYTES bytes. */
function randomCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(INVITE_CODE_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

function invalidInvite(): NotFound {
  return new NotFound("invite_invalid", "This invite is invalid or has expired, or was used up.");
}

/** A whole number from 0 to `max` (absent or null: 0). */
function wholeNumber(raw: unknown, max: number, code: ErrorCode, field: string): number {
  if (raw === undefined || raw === null) return 0;
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < 0 || raw > max) {
    throw new Invalid(code, `${field} must be a whole number from 0 to ${max}.`, field);
  }
  return raw;
}

export class InviteService {
  constructor(readonly deps: ChatDeps) {}

  /** A new invite for a server (`create_invites`). */
  async create(
    user: UserRecord,
    serverId: string,
    input: InviteInput = {},
  ): Promise<CreatedInvite> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "create_invites", "create invites");
    const maxAgeSeconds = wholeNumber(
      input.maxAgeSeconds,
      INVITE_MAX_AGE_MAX_S,
      "invalid_max_age",
      "maxAgeSeconds",
    );
    const maxUses = wholeNumber(input.maxUses, INVITE_MAX_USES_MAX, "invalid_max_uses", "maxUses");
    const now = this.deps.now();
    const invite: InviteRecord = {
      code: randomCode(),
      serverId,
      createdBy: user.id,
      createdAt: new Date(now),
      expiresAt: maxAgeSeconds === 0 ? null : new Date(now + maxAgeSeconds * 1000),
      maxUses,
      uses: 0,
    };
    await this.deps.store.createInvite(
      invite,
      auditEntry(now, {
        serverId,
        action: "invite_create",
        actorId: user.id,
        targetType: "invite",
        targetId: invite.code,
        changes: [
          { key: "maxAgeSeconds", old: null, new: maxAgeSeconds },
          { key: "maxUses", old: null, new: maxUses },
        ],
      }),
    );
    const wire = toWireInvite(invite, access.server, access.memberIds().length);
    return { code: invite.code, invite: wire };
  }

  /** Every invite of the server, expired and used-up ones included (`manage_invites`). */
  async list(user: UserRecord, serverId: string): Promise<WireInvite[]> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "manage_invites", "see this server's invites");
    const invites = await this.deps.store.listInvites(serverId);
    const memberCount = access.memberIds().length;
    return invites.map((invite) => toWireInvite(invite, access.server, memberCount));
  }

  /** What anyone holding the code may see (the invite page's preview); no login needed. */
  async preview(code: string): Promise<WireInvite> {
    const { invite, server } = await this.#usable(code);
    const memberIds = await this.deps.store.listMemberIds(server.id);
    return toWireInvite(invite, server, memberIds.length);
  }

  /** The icon of a usable invite's server, for anyone holding the code (the invite page). */
  async icon(code: string): Promise<IconRecord> {
    const { server } = await this.#usable(code);
    const icon = server.iconVersion ? await this.deps.store.findServerIcon(server.id) : null;
    if (!icon) throw new NotFound("not_found", "This server has no icon.");
    return icon;
  }

  /** `icon` as a stream from the blob store (what the invite page's icon route serves). */
  async openIcon(code: string): Promise<StoredImage> {
    const { server } = await this.#usable(code);
    const icon = server.iconVersion ? await this.deps.store.openServerIcon(server.id) : null;
    if (!icon) throw new NotFound("not_found", "This server has no icon.");
    return icon;
  }

  /** Deletes an invite (its creator, or `manage_invites`). */
  async delete(user: UserRecord, code: string): Promise<void> {
    const invite = await this.#find(code);
    if (!invite) throw new NotFound("not_found", "No such invite.");
    const access = await memberAccess(this.deps, user, invite.serverId, {
      confirm: true,
      thing: "invite",
    });
    if (invite.createdBy !== user.id) {
      requireServerPermission(access, user.id, "manage_invites", "delete others' invites");
    }
    await this.deps.store.deleteInvite(
      invite.code,
      auditEntry(this.deps.now(), {
        serverId: invite.serverId,
        action: "invite_delete",
        actorId: user.id,
        targetType: "invite",
        targetId: invite.code,
      }),
    );
  }

  /** Joins the invite's server; joining again is harmless (and uses nothing). */
  async join(user: UserRecord, code: string): Promise<ServerWithChannels> {
    const { store, publish } = this.deps;
    const joined = code.length <= INVITE_CODE_INPUT_MAX
      ? await store.joinByInvite(code, user.id, new Date(this.deps.now()))
      : { status: "invalid" as const };
    if (joined.status === "invalid") throw invalidInvite();
    if (joined.status === "banned") {
      throw new Forbidden("banned", "You are banned from this server.");
    }
    const result = await this.#viewOf(user, joined.server, joined.status === "joined");
    if (joined.status === "joined") {
      // The joiner's sockets subscribe first, so they also see their own member_joined.
      publish({ target: { user: user.id }, event: { type: "server_joined", ...result } });
      publish({
        target: { servers: [joined.server.id] },
        event: { type: "member_joined", serverId: joined.server.id, user: toPublicUser(user) },
      });
    }
    return result;
  }

  /**
   * The server and the channels the user may view. A member who just joined is not in the
   * snapshot until their member_joined is heard, so their view is computed as a new member's:
   * `@everyone` and any overwrite of their own.
   */
  async #viewOf(
    user: UserRecord,
    server: ServerRecord,
    isNew: boolean,
  ): Promise<ServerWithChannels> {
    const access = isNew
      ? await this.deps.access.load(server.id)
      : await memberAccess(this.deps, user, server.id);
    if (!access) throw invalidInvite();
    const view = isNew ? asNewMember(access, user.id, this.deps.now()) : access;
    return {
      server: toWireServer(view.server),
      channels: view.visibleChannels(user.id).map((channel) =>
        toWireChannel(channel, view.overwritesOf(channel.id))
      ),
    };
  }

  async #find(code: string): Promise<InviteRecord | null> {
    // No real code is this long, and a very long one is not even a valid Deno KV key.
    return code.length <= INVITE_CODE_INPUT_MAX ? await this.deps.store.findInvite(code) : null;
  }

  async #usable(code: string): Promise<{ invite: InviteRecord; server: ServerRecord }> {
    const invite = await this.#find(code);
    const server = invite && isUsable(invite, this.deps.now()) &&
      await this.deps.store.findServer(invite.serverId);
    if (!invite || !server) throw invalidInvite();
    return { invite, server };
  }
}

/** The snapshot as it will be once `userId` is a member with no roles. */
function asNewMember(access: ServerAccess, userId: string, now: number): ServerAccess {
  const channels = access.channels();
  return ServerAccess.from({
    server: access.server,
    roles: access.roles(),
    channels,
    overwrites: channels.flatMap((channel) => access.overwritesOf(channel.id)),
    members: [{
      serverId: access.serverId,
      userId,
      joinedAt: new Date(now),
      roleIds: [],
      timeoutUntil: null,
    }],
  });
}
