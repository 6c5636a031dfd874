/**
 * Invites on Deno KV: `["invites", code]` → InviteRecord, and `["server_invites", serverId,
 * code]` → true so a server's invites are one prefix scan (invites stored before the index get
 * their entry when the store opens: `indexInvites`). An invite of a deleted server reads as
 * none until the purge removes it.
 *
 * A join by invite is one commit that checks, at the versionstamps it read, the invite (its use
 * count), the server, the user's membership (none) and ban (none), and retries when another
 * writer moved one of them: two joins racing for an invite's last use cannot both win, and a
 * ban racing a join either comes first (the join fails its check and reads the ban) or removes
 * the membership the join made.
 */
import type { AuditEntryRecord, InviteJoin } from "../governance_store.ts";
import type { InviteRecord, ServerRecord } from "../store.ts";
import { getAll, listAll, optimistically, TRY_AGAIN, whenUnlocked } from "./commits.ts";
import {
  banKeyOf,
  inviteKeyOf,
  memberKeyOf,
  serverInviteKeyOf,
  serverKeyOf,
  withAudit,
} from "./governance_keys.ts";
import type { KnownEntries } from "./known_entries.ts";
import { addMembership } from "./members.ts";
import { inviteWithDefaults, serverWithDefaults } from "./records.ts";

/** Whether the invite can still be used at `now`. */
function usable(invite: InviteRecord, now: Date): boolean {
  const fresh = invite.expiresAt === null || invite.expiresAt.getTime() > now.getTime();
  return fresh && (invite.maxUses === 0 || invite.uses < invite.maxUses);
}

const byCreation = (a: InviteRecord, b: InviteRecord) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** The invite methods of the KV store. */
export class KvInvites {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly known: KnownEntries,
  ) {}

  async createInvite(invite: InviteRecord, audit: AuditEntryRecord | null = null): Promise<void> {
    await whenUnlocked(() =>
      withAudit(this.kv.atomic(), audit)
        .set(inviteKeyOf(invite.code), invite)
        .set(serverInviteKeyOf(invite.serverId, invite.code), true)
        .commit()
    );
  }

  async findInvite(code: string): Promise<InviteRecord | null> {
    const invite = (await this.kv.get<InviteRecord>(inviteKeyOf(code))).value;
    if (invite === null) return null;
    const server = await this.kv.get(serverKeyOf(invite.serverId));
    return server.versionstamp === null ? null : inviteWithDefaults(invite);
  }

  async listInvites(serverId: string): Promise<InviteRecord[]> {
    const [server, index] = await Promise.all([
      this.kv.get(serverKeyOf(serverId)),
      listAll(this.kv, ["server_invites", serverId]),
    ]);
    if (server.versionstamp === null) return [];
    const invites = await getAll<InviteRecord>(
      this.kv,
      index.map((entry) => inviteKeyOf(entry.key[2] as string)),
    );
    return invites.filter((invite): invite is InviteRecord => invite !== null)
      .map(inviteWithDefaults)
      .sort(byCreation);
  }

  deleteInvite(code: string, audit: AuditEntryRecord | null): Promise<boolean> {
    return optimistically(`delete invite ${code}`, async () => {
      const entry = await this.kv.get<InviteRecord>(inviteKeyOf(code));
      if (entry.value === null) return false;
      const op = this.kv.atomic().check(entry).delete(entry.key)
        .delete(serverInviteKeyOf(entry.value.serverId, code));
      return (await withAudit(op, audit).commit()).ok ? true : TRY_AGAIN;
    });
  }

  async joinByInvite(code: string, userId: string, now: Date): Promise<InviteJoin> {
    let memberKey: Deno.KvKey | undefined;
    const joined = await optimistically(`join by invite ${code}`, async (): Promise<
      InviteJoin | typeof TRY_AGAIN
    > => {
      const invite = await this.kv.get<InviteRecord>(inviteKeyOf(code));
      if (invite.value === null) return { status: "invalid" };
      const { serverId } = invite.value;
      memberKey = memberKeyOf(serverId, userId);
      const [server, member, ban] = await this.kv.getMany<[ServerRecord, Date, unknown]>([
        serverKeyOf(serverId),
        memberKey,
        banKeyOf(serverId, userId),
      ]);
      const limits = inviteWithDefaults(invite.value);
      if (server.value === null || !usable(limits, now)) return { status: "invalid" };
      if (ban.versionstamp !== null) return { status: "banned" };
      if (member.versionstamp !== null) {
        return { status: "member", server: serverWithDefaults(server.value) };
      }
      const op = addMembership(
        this.kv.atomic().check(invite).check(server).check(member).check(ban),
        serverId,
        userId,
        now,
      ).set(invite.key, { ...limits, uses: limits.uses + 1 });
      if (!(await op.commit()).ok) return TRY_AGAIN;
      return { status: "joined", server: serverWithDefaults(server.value) };
    });
    // What appends knew of the membership is out of date (their commit's check would fail).
    if (memberKey) this.known.forget(memberKey);
    return joined;
  }
}

/**
 * Gives every invite without an index entry its entry: those stored before the index existed,
 * and those an instance of that version still running beside this one (a rolling deploy) wrote
 * since. At every open, so no marker can say "done" too early: two scans of small records.
 */
export async function indexInvites(kv: Deno.Kv): Promise<void> {
  const [invites, indexed] = await Promise.all([
    listAll<InviteRecord>(kv, ["invites"]),
    listAll(kv, ["server_invites"]),
  ]);
  const known = new Set(indexed.map((entry) => entry.key[2] as string));
  for (const { value: invite } of invites) {
    if (known.has(invite.code)) continue;
    // Checked: an invite deleted meanwhile gets no entry.
    const entry = await kv.get(inviteKeyOf(invite.code));
    if (entry.versionstamp === null) continue;
    const key = serverInviteKeyOf(invite.serverId, invite.code);
    await whenUnlocked(() => kv.atomic().check(entry).set(key, true).commit());
  }
}
