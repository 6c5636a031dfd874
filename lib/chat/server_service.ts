/** Servers: creating one, listing and reading them, leaving one. */
import type { ChannelRecord, ServerRecord, UserRecord } from "../../db/store.ts";
import { Conflict } from "../errors.ts";
import { toPublicUser } from "../public_user.ts";
import type { WireChannel, WireMember, WireRole, WireServer } from "../realtime/protocol.ts";
import { cleanServerName } from "../text.ts";
import { wireMembers } from "./authors.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberAccess, memberServer } from "./membership.ts";
import { toWireChannel, toWireRole, toWireServer } from "./shapes.ts";

export interface ServerWithChannels {
  server: WireServer;
  channels: WireChannel[];
}

/** `GET /api/servers/:id`: the channels the caller may view, every member, every role. */
export interface ServerDetail extends ServerWithChannels {
  members: WireMember[];
  roles: WireRole[];
}

export class ServerService {
  constructor(readonly deps: ChatDeps) {}

  /** Creates a server owned by `user`, with a `general` channel. */
  async create(user: UserRecord, input: { name?: unknown }): Promise<ServerWithChannels> {
    const createdAt = new Date(this.deps.now());
    const server: ServerRecord = {
      id: crypto.randomUUID(),
      name: cleanServerName(input.name),
      ownerId: user.id,
      createdAt,
      iconVersion: null,
    };
    const general: ChannelRecord = {
      id: crypto.randomUUID(),
      serverId: server.id,
      name: "general",
      createdAt,
      kind: "text",
      parentId: null,
      topic: "",
      position: 0,
    };
    await this.deps.store.createServer(server, general);
    const result = { server: toWireServer(server), channels: [toWireChannel(general)] };
    this.deps.publish({ target: { user: user.id }, event: { type: "server_joined", ...result } });
    return result;
  }

  /** The servers `user` is a member of, oldest membership first. */
  async list(user: UserRecord): Promise<WireServer[]> {
    return (await this.deps.store.listServersOf(user.id)).map(toWireServer);
  }

  /** Ids of the servers the user belongs to (socket subscriptions). */
  async idsOf(user: UserRecord): Promise<string[]> {
    return (await this.deps.store.listServersOf(user.id)).map((server) => server.id);
  }

  /**
   * A server with the channels the caller may view (with their overwrites), its members (as
   * member objects) and its roles, for members only.
   */
  async get(user: UserRecord, serverId: string): Promise<ServerDetail> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    const { store } = this.deps;
    const members = await wireMembers(store, await store.listMembers(serverId));
    return {
      server: toWireServer(access.server),
      channels: access.visibleChannels(user.id).map((channel) =>
        toWireChannel(channel, access.overwritesOf(channel.id))
      ),
      members,
      roles: access.roles().map(toWireRole),
    };
  }

  /** Leaves a server. The owner cannot leave (a server always has its owner). */
  async leave(user: UserRecord, serverId: string): Promise<void> {
    const { store, publish } = this.deps;
    const server = await memberServer(this.deps, user, serverId);
    if (server.ownerId === user.id) {
      // 409 (API.md): a conflict with who owns the server, not a missing right.
      throw new Conflict("owner_cannot_leave", "The owner cannot leave their own server.");
    }
    if (!(await store.removeMember(server.id, user.id))) return;
    publish({
      target: { servers: [server.id] },
      event: {
        type: "member_left",
        serverId: server.id,
        user: toPublicUser(user),
        reason: "left",
      },
    });
    publish({ target: { user: user.id }, event: { type: "server_left", serverId: server.id } });
  }
}
