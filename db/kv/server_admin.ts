/**
 * Changing and deleting servers on Deno KV: patches, icons and deletion.
 *
 * An icon's meta value (ChunkedMeta) names its bytes: in the blob store at
 * `icons/<serverId>/<version>` (`inBlob`, db/blob_moves.ts) once the store has one, or, written
 * before that (or by a store opened without one), in chunks (db/kv/chunks.ts) until the
 * start-up move (`moveIconsToBlobs`) copies them; `["blob_moves", "icons"]` → true once none
 * is left. The bytes go first, the meta flips to them, the replaced bytes go after.
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
import {
  type ChunkedMeta,
  deleteChunks,
  dropImageBytes,
  readChunks,
  writeChunks,
} from "./chunks.ts";
import {
  COMMIT_MUTATIONS_MAX,
  deleteInBatches,
  listAll,
  optimistically,
  TRY_AGAIN,
  whenUnlocked,
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
import {
  type BlobsOf,
  iconBlobKey,
  imageOfBytes,
  moveOneImage,
  openImageBlob,
  putImageBlob,
  readImageBlob,
  type StoredImage,
} from "../blob_moves.ts";

/** Set once a move found no old-format icon left: later start-ups skip the scan. */
const ICONS_MOVED: Deno.KvKey = ["blob_moves", "icons"];

/** Removes the bytes an icon meta named (once no meta names them). */
export function dropIconBytes(
  kv: Deno.Kv,
  blobs: BlobsOf | null,
  serverId: string,
  meta: ChunkedMeta,
): Promise<void> {
  return dropImageBytes(
    kv,
    blobs,
    iconChunksOf(serverId),
    iconBlobKey(serverId, meta.version),
    meta,
  );
}

/** Channel records the deleting commit carries (with the server's record and the purge's). */
const CHANNELS_IN_DELETE_COMMIT = COMMIT_MUTATIONS_MAX - 10;

/** The server methods of governance on the KV store. */
export class KvServerAdmin {
  /** Set by `attachBlobs` (KvStore.attachBlobStore): icons then go to the blob store. */
  #blobs: BlobsOf | null = null;

  constructor(
    private readonly kv: Deno.Kv,
    private readonly purger: Purger,
  ) {}

  attachBlobs(blobs: BlobsOf): void {
    this.#blobs = blobs;
  }

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
    const meta = this.#blobs
      ? await this.#putIconBlob(id, icon)
      : await writeChunks(this.kv, iconChunksOf(id), icon);
    const done = await optimistically(`put icon of server ${id}`, async () => {
      const [entry, previous] = await this.kv.getMany<[ServerRecord, ChunkedMeta]>([
        serverKeyOf(id),
        iconKeyOf(id),
      ]);
      if (entry.value === null) return null;
      const updated = { ...serverWithDefaults(entry.value), iconVersion: icon.version };
      let op = this.kv.atomic().check(entry).check(previous)
        .set(entry.key, updated)
        .set(previous.key, meta);
      // An old-format write (a store without the blob store) leaves work for the next move.
      if (!meta.inBlob) op = op.delete(ICONS_MOVED);
      if (!(await withAudit(op, audit).commit()).ok) return TRY_AGAIN;
      return { updated, previous: previous.value };
    });
    // The bytes nobody points to any more: the new ones if the server went meanwhile, else
    // the replaced version's.
    if (done === null) await dropIconBytes(this.kv, this.#blobs, id, meta);
    else if (done.previous && done.previous.version !== icon.version) {
      await dropIconBytes(this.kv, this.#blobs, id, done.previous);
    }
    return done?.updated ?? null;
  }

  async #putIconBlob(id: string, icon: IconRecord): Promise<ChunkedMeta> {
    await putImageBlob(
      await this.#blobs!(),
      iconBlobKey(id, icon.version),
      icon.bytes,
      icon.contentType,
    );
    return {
      contentType: icon.contentType,
      version: icon.version,
      chunks: 0,
      size: icon.bytes.length,
      inBlob: true,
    };
  }

  /** The icon's meta, if the server exists and has one. */
  async #iconMeta(id: string): Promise<ChunkedMeta | null> {
    const [server, meta] = await this.kv.getMany<[unknown, ChunkedMeta]>([
      serverKeyOf(id),
      iconKeyOf(id),
    ]);
    return server.versionstamp === null ? null : meta.value;
  }

  async findServerIcon(id: string): Promise<IconRecord | null> {
    const meta = await this.#iconMeta(id);
    if (meta === null) return null;
    const bytes = meta.inBlob
      ? await readImageBlob(await this.#blobs!(), iconBlobKey(id, meta.version))
      : await readChunks(this.kv, iconChunksOf(id), meta);
    return bytes && { contentType: meta.contentType, version: meta.version, bytes };
  }

  async openServerIcon(id: string): Promise<StoredImage | null> {
    const meta = await this.#iconMeta(id);
    if (meta === null) return null;
    if (meta.inBlob) {
      return await openImageBlob(await this.#blobs!(), iconBlobKey(id, meta.version), meta);
    }
    const bytes = await readChunks(this.kv, iconChunksOf(id), meta);
    return bytes && imageOfBytes(meta, bytes);
  }

  /** Copies icons still in chunks into the blob store (idempotent, resumable); how many. */
  async moveIconsToBlobs(): Promise<number> {
    if ((await this.kv.get(ICONS_MOVED)).value !== null) return 0;
    let moved = 0;
    for await (const entry of this.kv.list<ChunkedMeta>({ prefix: ["server_icons"] })) {
      const serverId = entry.key[1] as string;
      const meta = entry.value;
      if (meta.inBlob) continue;
      const bytes = await readChunks(this.kv, iconChunksOf(serverId), meta);
      // Replaced since it was listed: the new version is in the blob store already.
      if (bytes === null) continue;
      const ok = await moveOneImage(
        await this.#blobs!(),
        iconBlobKey(serverId, meta.version),
        { contentType: meta.contentType, bytes },
        async () =>
          (await this.kv.atomic().check(entry)
            .set(entry.key, { ...meta, chunks: 0, inBlob: true }).commit()).ok,
        async () => {
          const now = (await this.kv.get<ChunkedMeta>(entry.key)).value;
          return now?.inBlob === true && now.version === meta.version;
        },
      );
      // The chunks go once no meta names them (moved, replaced, or the server purged).
      await deleteChunks(this.kv, iconChunksOf(serverId), meta.version);
      if (ok) moved++;
    }
    await whenUnlocked(() => this.kv.set(ICONS_MOVED, true));
    return moved;
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
