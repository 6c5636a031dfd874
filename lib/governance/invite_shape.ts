/** Invites in the API's shape, and whether one can still be used. */
import type { InviteRecord, ServerRecord } from "../../db/store.ts";
import type { WireInvite } from "../realtime/protocol.ts";

/** API.md's `invite`, with what anyone holding the code may see of its server. */
export function toWireInvite(
  invite: InviteRecord,
  server: ServerRecord,
  memberCount: number,
): WireInvite {
  return {
    code: invite.code,
    server: {
      id: server.id,
      name: server.name,
      iconUrl: inviteIconUrl(invite, server),
      memberCount,
    },
    createdBy: invite.createdBy,
    createdAt: invite.createdAt.toISOString(),
    expiresAt: invite.expiresAt?.toISOString() ?? null,
    uses: invite.uses,
    maxUses: invite.maxUses,
  };
}

/** True while the invite is neither expired at `now` nor used up. */
export function isUsable(invite: InviteRecord, now: number): boolean {
  const fresh = invite.expiresAt === null || invite.expiresAt.getTime() > now;
  return fresh && (invite.maxUses === 0 || invite.uses < invite.maxUses);
}

/**
 * The icon as anyone holding the code may load it (the invite page's `/invite/:code/icon`: the
 * server's own icon URL answers members only, and an invite's preview is for visitors).
 */
function inviteIconUrl(invite: InviteRecord, server: ServerRecord): string | null {
  if (!server.iconVersion) return null;
  return `/invite/${encodeURIComponent(invite.code)}/icon?v=${server.iconVersion}`;
}
