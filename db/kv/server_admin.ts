/**
 * Changing and deleting servers on Deno KV: patches, icons (db/kv/chunks.ts) and deletion.
 *
 * A deletion is one commit that deletes the server's record and its channels' records (what
 * every read of the server's content reads, db/kv/governance_keys.ts) and records the purge;
 * the rest goes in batches after (db/kv/purge.ts). Servers are limited to
 * CHANNELS_PER_SERVER_MAX channels, which fits; a server stored before that limit with more
 * loses its surplus channels' records in commits just before (its channels, going anyway, go
 * a moment earlier).
 */
import type { AuditEntryRecord, IconRecord, ServerPatch } from "../governance_store.ts";
import type { ServerRecord } from "../store.ts";
import { type ChunkedMeta, deleteChunks, readChunks, writeChunks } from "./chunks.ts";
import {
  COMMIT_MUTATIONS_MAX,
  deleteInBatches,
  listAll,
  optimistically,
  TRY_AGAIN,
} from "./commits.ts";
import {
  channelKeyOf,
  iconChunksOf,
  iconKeyOf,
  serverKeyOf,
  withAudit,
} from "./governance_keys.ts";
import { type Purge, purgeKeyOf, type Purger } from "./purge.ts";
import { changesNothing, definedOf, serverWithDefaults } from "./records.ts";

/** Channel records the deleting commit carries (with the server's record and the purge's). */
const CHANNELS_IN_DELETE_COMMIT = COMMIT_MUTATIONS_MAX - 10;

/** The server methods of governance on the KV store. */
export class KvServerAdmin {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly purger: Purger,
  ) {}

  updateServer(
    id: string,
    patch: ServerPatch,
    audit: AuditEntryRecord | null,
  ): Promise<ServerRecord | null> {
    return optimistically(`update server ${id}`, async () => {
      const entry = await this.kv.get<ServerRecord>(serverKeyOf(id));
      if (entry.value === null) return null;
      const server = serverWithDefaults(entry.value);
      const changes = definedOf(patch);
      if (changesNothing(server, changes)) return server;
      const updated = { ...server, ...changes };
      const op = this.kv.atomic().check(entry).set(entry.key, updated);
      return (await withAudit(op, audit).commit()).ok ? updated : TRY_AGAIN;
    });
  }

  async putServerIcon(
    id: string,
    icon: IconRecord,
    audit: AuditEntryRecord | null,
  ): Promise<ServerRecord | null> {
    if ((await this.kv.get(serverKeyOf(id))).versionstamp === null) return null;
    const meta = await writeChunks(this.kv, iconChunksOf(id), icon);
    const done = await optimistically(`put icon of server ${id}`, async () => {
      const [entry, previous] = await this.kv.getMany<[ServerRecord, ChunkedMeta]>([
        serverKeyOf(id),
        iconKeyOf(id),
      ]);
      if (entry.value === null) return null;
      const updated = { ...serverWithDefaults(entry.value), iconVersion: icon.version };
      const op = this.kv.atomic().check(entry).check(previous)
        .set(entry.key, updated)
        .set(previous.key, meta);
      if (!(await withAudit(op, audit).commit()).ok) return TRY_AGAIN;
      return { updated, previous: previous.value };
    });
    // The chunks nobody points to any more: the new ones if the server went meanwhile, else
    // the replaced version's.
    const unused = done === null ? icon.version : done.previous?.version;
    if (unused !== undefined && (done === null || unused !== icon.version)) {
      await deleteChunks(this.kv, iconChunksOf(id), unused);
    }
    return done?.updated ?? null;
  }

  async findServerIcon(id: string): Promise<IconRecord | null> {
    const [server, meta] = await this.kv.getMany<[unknown, ChunkedMeta]>([
      serverKeyOf(id),
      iconKeyOf(id),
    ]);
    if (server.versionstamp === null || meta.value === null) return null;
    const bytes = await readChunks(this.kv, iconChunksOf(id), meta.value);
    return bytes && { contentType: meta.value.contentType, version: meta.value.version, bytes };
  }

  async deleteServer(id: string): Promise<boolean> {
    const purge: Purge = { kind: "server", id };
    const deleted = await optimistically(`delete server ${id}`, async () => {
      const entry = await this.kv.get(serverKeyOf(id));
      if (entry.versionstamp === null) return false;
      const channels = (await listAll(this.kv, ["server_channels", id]))
        .map((channel) => channelKeyOf(channel.key[2] as string));
      await deleteInBatches(this.kv, channels.slice(CHANNELS_IN_DELETE_COMMIT));
      let op = this.kv.atomic().check(entry).delete(entry.key).set(purgeKeyOf(purge), purge);
      for (const key of channels.slice(0, CHANNELS_IN_DELETE_COMMIT)) op = op.delete(key);
      return (await op.commit()).ok ? true : TRY_AGAIN;
    });
    if (deleted) this.purger.start(purge);
    return deleted;
  }
}
