/** Invites: a code a member makes, that anyone holding it can preview and join with. */
import type { ServerRecord, UserRecord } from "../../db/store.ts";
import { NotFound } from "../errors.ts";
import { INVITE_CODE_BYTES, INVITE_CODE_INPUT_MAX } from "../limits.ts";
import { toPublicUser } from "../public_user.ts";
import type { WireServer } from "../realtime/protocol.ts";
import type { ChatDeps } from "./chat_deps.ts";
import { memberServer } from "./membership.ts";
import type { ServerWithChannels } from "./server_service.ts";
import { toWireChannel, toWireServer } from "./shapes.ts";

/** What anyone holding an invite code may see of its server (API.md's invite `server`). */
export interface InvitePreview {
  server: WireServer;
  memberCount: number;
}

/** A URL-safe random code of INVITE_CODE_BYTES bytes. */
function randomCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(INVITE_CODE_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

export class InviteService {
  constructor(readonly deps: ChatDeps) {}

  /** A new invite code for a server (members only). */
  async create(user: UserRecord, serverId: string): Promise<string> {
    const server = await memberServer(this.deps.store, user, serverId);
    const code = randomCode();
    await this.deps.store.createInvite({
      code,
      serverId: server.id,
      createdBy: user.id,
      createdAt: new Date(this.deps.now()),
    });
    return code;
  }

  /** The server an invite leads to, without joining (for the invite page). */
  async preview(code: string): Promise<InvitePreview> {
    const server = await this.#serverOf(code);
    const memberIds = await this.deps.store.listMemberIds(server.id);
    return { server: toWireServer(server), memberCount: memberIds.length };
  }

  /** Joins the invite's server; joining again is harmless. */
  async join(user: UserRecord, code: string): Promise<ServerWithChannels> {
    const { store, publish } = this.deps;
    const server = await this.#serverOf(code);
    const joined = await store.addMember(server.id, user.id, new Date(this.deps.now()));
    const result = {
      server: toWireServer(server),
      channels: (await store.listChannels(server.id)).map(toWireChannel),
    };
    if (joined) {
      // The joiner's sockets subscribe first, so they also see their own member_joined.
      publish({ target: { user: user.id }, event: { type: "server_joined", ...result } });
      publish({
        target: { servers: [server.id] },
        event: { type: "member_joined", serverId: server.id, user: toPublicUser(user) },
      });
    }
    return result;
  }

  async #serverOf(code: string): Promise<ServerRecord> {
    // No real code is this long, and a very long one is not even a valid Deno KV key.
    const invite = code.length <= INVITE_CODE_INPUT_MAX
      ? await this.deps.store.findInvite(code)
      : null;
    const server = invite && await this.deps.store.findServer(invite.serverId);
    if (!server) throw new NotFound("invalid_invite", "This invite is invalid or has expired.");
    return server;
  }
}
