/**
 * Creating, changing and deleting channels on Deno KV. A channel is stored twice (`["channels", id]` and
 * `["server_channels", serverId, id]`, both written in every commit that changes it) with its
 * name reserved in `["channel_names", serverId, name]`.
 *
 * Deleting one is one commit that deletes those three, moves the channels of a deleted category
 * to no category, writes the audit entry and records the purge of its messages, read markers
 * and overwrites (db/kv/purge.ts). Each moved channel is checked at the version read (a rename
 * racing the deletion is not lost), and a commit holds at most 100 checks: a category with more
 * channels than CHILDREN_PER_COMMIT moves the surplus in commits just before (channels leaving a
 * category that is about to go leave it a moment earlier).
 */
import type { AuditEntryRecord, ChannelPatch } from "../governance_store.ts";
import { ChannelNameTakenError, type ChannelRecord } from "../store.ts";
import { COMMIT_CHECKS_MAX, getEntries, listAll, optimistically, TRY_AGAIN } from "./commits.ts";
import {
  channelKeyOf,
  channelNameKeyOf,
  serverChannelKeyOf,
  serverKeyOf,
  withAudit,
} from "./governance_keys.ts";
import type { KnownEntries } from "./known_entries.ts";
import { type Purge, purgeKeyOf, type Purger } from "./purge.ts";
import { changesNothing, channelWithDefaults, definedOf } from "./records.ts";

/** Channels moved out of a deleted category per commit (each is one check). */
const CHILDREN_PER_COMMIT = COMMIT_CHECKS_MAX - 10;

/** Adds the writes of a channel's new version (both records) to a commit. */
function setChannel(op: Deno.AtomicOperation, channel: ChannelRecord): Deno.AtomicOperation {
  return op.set(channelKeyOf(channel.id), channel)
    .set(serverChannelKeyOf(channel.serverId, channel.id), channel);
}

/** Adds the moves of `children` to no category (checked at the versions read) to a commit. */
function moveOut(
  op: Deno.AtomicOperation,
  children: Deno.KvEntryMaybe<ChannelRecord>[],
): Deno.AtomicOperation {
  for (const child of children) {
    if (child.value === null) continue;
    op = setChannel(op.check(child), { ...channelWithDefaults(child.value), parentId: null });
  }
  return op;
}

/** The channel methods of governance on the KV store. */
export class KvChannelAdmin {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly purger: Purger,
    private readonly known: KnownEntries,
  ) {}

  /**
   * Creates a channel, checking in the commit that its name is free and its server (and
   * category) still there: nothing can be created into a server whose deletion committed
   * (there it would outlive the purge), and a category deleted meanwhile means none.
   */
  createChannel(channel: ChannelRecord, audit: AuditEntryRecord | null): Promise<void> {
    const nameKey = channelNameKeyOf(channel.serverId, channel.name);
    return optimistically(`create channel ${channel.id}`, async () => {
      const keys = [serverKeyOf(channel.serverId)];
      if (channel.parentId !== null) keys.push(channelKeyOf(channel.parentId));
      const [server, parent] = await this.kv.getMany(keys);
      if (server.versionstamp === null) throw new Error(`No server ${channel.serverId}`);
      let op = withAudit(this.kv.atomic(), audit)
        .check(server)
        .check({ key: nameKey, versionstamp: null })
        .set(nameKey, channel.id);
      if (parent) op = op.check(parent);
      const stored = parent?.versionstamp === null ? { ...channel, parentId: null } : channel;
      if ((await setChannel(op, stored).commit()).ok) return undefined;
      if ((await this.kv.get(nameKey)).versionstamp !== null) {
        throw new ChannelNameTakenError(channel.name);
      }
      return TRY_AGAIN;
    });
  }

  updateChannel(
    id: string,
    patch: ChannelPatch,
    audit: AuditEntryRecord | null,
  ): Promise<ChannelRecord | null> {
    return optimistically(`update channel ${id}`, async () => {
      const entry = await this.kv.get<ChannelRecord>(channelKeyOf(id));
      if (entry.value === null) return null;
      const channel = channelWithDefaults(entry.value);
      const changes = definedOf(patch);
      let op = this.kv.atomic().check(entry);
      if (changes.parentId) {
        const parent = await this.kv.get<ChannelRecord>(channelKeyOf(changes.parentId));
        // A category deleted meanwhile: its channels are in none, this one too (the check
        // orders it against that deletion). Only a category of the same server is a parent.
        const fits = parent.value?.kind === "category" &&
          parent.value.serverId === channel.serverId &&
          channel.kind !== "category";
        if (!fits) changes.parentId = null;
        op = op.check(parent);
      }
      if (changesNothing(channel, changes)) return channel;
      const updated = { ...channel, ...changes };
      const renamed = updated.name !== channel.name;
      if (renamed) {
        const nameKey = channelNameKeyOf(channel.serverId, updated.name);
        op = op.check({ key: nameKey, versionstamp: null })
          .delete(channelNameKeyOf(channel.serverId, channel.name))
          .set(nameKey, id);
      }
      if ((await withAudit(setChannel(op, updated), audit).commit()).ok) {
        // Sends check the record (it is still there): what they knew of it is out of date.
        this.known.forget(entry.key);
        return updated;
      }
      if (renamed) {
        const holder = await this.kv.get<string>(channelNameKeyOf(channel.serverId, updated.name));
        if (holder.value !== null && holder.value !== id) {
          throw new ChannelNameTakenError(updated.name);
        }
      }
      return TRY_AGAIN;
    });
  }

  async deleteChannel(id: string, audit: AuditEntryRecord | null): Promise<boolean> {
    let purge: Purge | undefined;
    const deleted = await optimistically(`delete channel ${id}`, async () => {
      const entry = await this.kv.get<ChannelRecord>(channelKeyOf(id));
      if (entry.value === null) return false;
      const { serverId, name } = entry.value;
      const children = await this.#childrenOf(entry.value);
      for (let i = CHILDREN_PER_COMMIT; i < children.length; i += CHILDREN_PER_COMMIT) {
        const moved = moveOut(this.kv.atomic(), children.slice(i, i + CHILDREN_PER_COMMIT));
        if (!(await moved.commit()).ok) return TRY_AGAIN;
      }
      purge = { kind: "channel", id, serverId };
      const op = moveOut(this.kv.atomic().check(entry), children.slice(0, CHILDREN_PER_COMMIT))
        .delete(entry.key)
        .delete(serverChannelKeyOf(serverId, id))
        .delete(channelNameKeyOf(serverId, name))
        .set(purgeKeyOf(purge), purge);
      return (await withAudit(op, audit).commit()).ok ? true : TRY_AGAIN;
    });
    if (deleted && purge) this.purger.start(purge);
    this.known.forget(channelKeyOf(id));
    return deleted;
  }

  /** The entries of the channels in a category (none for a text channel). */
  async #childrenOf(channel: ChannelRecord): Promise<Deno.KvEntryMaybe<ChannelRecord>[]> {
    if (channel.kind !== "category") return [];
    const ids = (await listAll<ChannelRecord>(this.kv, ["server_channels", channel.serverId]))
      .filter((entry) => entry.value.parentId === channel.id)
      .map((entry) => channelKeyOf(entry.value.id));
    return await getEntries<ChannelRecord>(this.kv, ids);
  }
}
