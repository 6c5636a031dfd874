/**
 * Removes uploads no message named within ATTACHMENT_ORPHAN_AGE_MS (uploaded, then the message
 * was never sent), every ATTACHMENT_SWEEP_INTERVAL_MS; and blobs of that age no record names (an
 * upload that crashed between writing its bytes and its record). Tests call `sweep()` with their
 * own clock rather than waiting.
 *
 * A send racing the sweep cannot lose its file: the sweep deletes only records still unclaimed
 * (checked in the delete itself), and a claim of a deleted record fails (`invalid_attachment`).
 */
import type { BlobStore } from "../../db/blob_store.ts";
import type { Store } from "../../db/store.ts";
import { ATTACHMENT_ORPHAN_AGE_MS, ATTACHMENT_SWEEP_BATCH } from "../limits.ts";
import { removeBlobs } from "./upload_service.ts";
import { ATTACHMENT_BLOB_PREFIX, attachmentIdOfKey } from "./wire.ts";

export interface SweepResult {
  /** Unsent uploads removed. */
  uploads: number;
  /** Blobs without a record removed. */
  blobs: number;
}

export class OrphanSweeper {
  #timer: ReturnType<typeof setInterval> | undefined;
  #sweeping: Promise<SweepResult> | null = null;

  constructor(
    private readonly store: Store,
    private readonly blobs: () => Promise<BlobStore>,
    private readonly now: () => number,
    private readonly ageMs = ATTACHMENT_ORPHAN_AGE_MS,
  ) {}

  /** Sweeps every `intervalMs` until `stop`. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      this.sweep().catch((error) => console.error("Orphan sweep failed:", error));
    }, intervalMs);
    // A sweep pending is no reason for the process to stay up.
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /**
   * One sweep as if the time were `now` (ms; default the clock's), one at a time: a call during
   * a sweep gets that sweep's result.
   */
  sweep(now = this.now()): Promise<SweepResult> {
    this.#sweeping ??= this.#sweep(now).finally(() => this.#sweeping = null);
    return this.#sweeping;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping?.catch(() => {});
  }

  async #sweep(now: number): Promise<SweepResult> {
    const cutoff = new Date(now - this.ageMs);
    let uploads = 0;
    for (;;) {
      const old = await this.store.listUnclaimedAttachments(cutoff, ATTACHMENT_SWEEP_BATCH);
      if (old.length === 0) break;
      const deleted = await this.store.deleteAttachments(old.map((r) => r.id), {
        unclaimedOnly: true,
      });
      const blobs = await this.blobs();
      await Promise.all(deleted.map((r) => removeBlobs(blobs, r.id)));
      uploads += deleted.length;
      if (old.length < ATTACHMENT_SWEEP_BATCH || deleted.length === 0) break;
    }
    return { uploads, blobs: await this.#sweepBlobs(cutoff.getTime()) };
  }

  /** Blobs older than the cutoff whose attachment has no record. */
  async #sweepBlobs(cutoff: number): Promise<number> {
    const blobs = await this.blobs();
    let removed = 0;
    let batch: { key: string; id: string }[] = [];
    const flush = async () => {
      const known = new Set(
        (await this.store.findAttachments(batch.map((b) => b.id))).map((r) => r.id),
      );
      for (const { key, id } of batch) {
        if (!known.has(id) && await blobs.delete(key)) removed++;
      }
      batch = [];
    };
    for await (const listing of blobs.list(ATTACHMENT_BLOB_PREFIX)) {
      const id = attachmentIdOfKey(listing.key);
      if (id === null || listing.storedAt >= cutoff) continue;
      batch.push({ key: listing.key, id });
      if (batch.length >= ATTACHMENT_SWEEP_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    return removed;
  }
}
