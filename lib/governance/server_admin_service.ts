/**
 * Managing a server (API.md "Managing servers, channels, invites, members"): renaming it
 * (`manage_server`), handing it to another member (the owner only), its icon, and deleting it
 * (the owner only). Each change is audited in the same commit and published as
 * `server_updated`; a deletion as `server_deleted`.
 */
import type { IconRecord, ServerPatch, UserRecord } from "../../db/store.ts";
import type { StoredImage } from "../../db/blob_moves.ts";
import { memberAccess, requireServerPermission } from "../chat/membership.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { iconUrl, toWireServer } from "../chat/shapes.ts";
import { Forbidden, Invalid, NotFound } from "../errors.ts";
import type { ServerAccess } from "../permissions/server_access.ts";
import type { WireServer } from "../realtime/protocol.ts";
import { cleanServerName } from "../text.ts";
import { auditEntry, type AuditInput, changesOf } from "./audit.ts";
import { checkIcon, newIconVersion } from "./server_icon.ts";

export interface ServerUpdateInput {
  name?: unknown;
  ownerId?: unknown;
}

export class ServerAdminService {
  constructor(readonly deps: ChatDeps) {}

  /** Renames the server and/or transfers it; unchanged fields write and publish nothing. */
  async update(user: UserRecord, serverId: string, input: ServerUpdateInput): Promise<WireServer> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "manage_server", "change this server");
    const patch: ServerPatch = {};
    if (input.name !== undefined) patch.name = cleanServerName(input.name);
    if (input.ownerId !== undefined) patch.ownerId = newOwner(access, user, input.ownerId);
    const changes = changesOf(access.server, patch);
    if (changes.length === 0) return toWireServer(access.server);
    const updated = await this.deps.store.updateServer(
      serverId,
      patch,
      this.#audit(user, serverId, changes),
    );
    if (!updated) throw new NotFound("not_found", "No such server.");
    return this.#published(updated);
  }

  /** Deletes the server and everything in it (the owner only). */
  async delete(user: UserRecord, serverId: string): Promise<void> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    if (access.server.ownerId !== user.id) {
      throw new Forbidden("not_owner", "Only the server's owner can delete it.");
    }
    if (!(await this.deps.store.deleteServer(serverId))) return;
    this.deps.publish({
      target: { servers: [serverId] },
      event: { type: "server_deleted", serverId },
    });
  }

  /** Stores a new icon (`manage_server`); the bytes are checked like an avatar's. */
  async setIcon(
    user: UserRecord,
    serverId: string,
    bytes: Uint8Array,
    claimedType?: string,
  ): Promise<WireServer> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "manage_server", "change this server's icon");
    const contentType = checkIcon(bytes, claimedType);
    const version = newIconVersion(this.deps.now());
    const changes = [{
      key: "iconUrl",
      old: iconUrl(access.server),
      new: iconUrl({ id: serverId, iconVersion: version }),
    }];
    const updated = await this.deps.store.putServerIcon(
      serverId,
      { contentType, bytes, version },
      this.#audit(user, serverId, changes),
    );
    if (!updated) throw new NotFound("not_found", "No such server.");
    return this.#published(updated);
  }

  /** The server's icon (members only); NotFound when it has none. */
  async icon(user: UserRecord, serverId: string): Promise<IconRecord> {
    await memberAccess(this.deps, user, serverId, { confirm: true });
    const icon = await this.deps.store.findServerIcon(serverId);
    if (!icon) throw new NotFound("not_found", "This server has no icon.");
    return icon;
  }

  /** `icon` as a stream from the blob store (what the icon route serves). */
  async openIcon(user: UserRecord, serverId: string): Promise<StoredImage> {
    await memberAccess(this.deps, user, serverId, { confirm: true });
    const icon = await this.deps.store.openServerIcon(serverId);
    if (!icon) throw new NotFound("not_found", "This server has no icon.");
    return icon;
  }

  #audit(user: UserRecord, serverId: string, changes: AuditInput["changes"]) {
    return auditEntry(this.deps.now(), {
      serverId,
      action: "server_update",
      actorId: user.id,
      targetType: "server",
      targetId: serverId,
      changes,
    });
  }

  #published(server: Parameters<typeof toWireServer>[0]): WireServer {
    const wire = toWireServer(server);
    this.deps.publish({
      target: { servers: [server.id] },
      event: { type: "server_updated", server: wire },
    });
    return wire;
  }
}

/** The id of the member the owner hands the server to. */
function newOwner(access: ServerAccess, user: UserRecord, raw: unknown): string {
  if (access.server.ownerId !== user.id) {
    throw new Forbidden("not_owner", "Only the server's owner can transfer it.");
  }
  if (typeof raw !== "string" || !access.isMember(raw)) {
    throw new Invalid(
      "invalid_owner",
      "ownerId must be the user id of a member of this server.",
      "ownerId",
    );
  }
  return raw;
}
