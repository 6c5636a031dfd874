/**
 * Removes the files of what was deleted: a message (by its author, a moderator or a purge), a
 * channel or a server. It listens to the events the deletions publish on this instance (each
 * is published once, where it happened), so every delete path is covered without each knowing
 * about files. Runs after the deletion committed, in the background; a crash before it is done
 * leaves the records and files of a deleted message behind, unreachable (their message is gone:
 * nobody can be given their URL again) until removed by hand.
 */
import type { AttachmentScope } from "../../db/attachment_store.ts";
import type { BlobStore } from "../../db/blob_store.ts";
import type { Store } from "../../db/store.ts";
import { ATTACHMENT_SWEEP_BATCH } from "../limits.ts";
import type { ServerEvent } from "../realtime/protocol.ts";
import { removeBlobs } from "./upload_service.ts";

export class AttachmentCleanup {
  #running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly blobs: () => Promise<BlobStore>,
  ) {}

  /** Starts removing the files an event says were deleted (other events: nothing). */
  onEvent(event: ServerEvent): void {
    const scope: AttachmentScope | null = event.type === "message_deleted"
      ? { messageId: event.id }
      : event.type === "channel_deleted"
      ? { channelId: event.channelId }
      : event.type === "server_deleted"
      ? { serverId: event.serverId }
      : null;
    if (!scope) return;
    const running: Promise<unknown> = this.remove(scope).catch((error) =>
      console.error("Attachment files not removed:", error)
    ).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Removes the records and blobs of a scope, a batch at a time; returns how many. */
  async remove(scope: AttachmentScope): Promise<number> {
    let removed = 0;
    for (;;) {
      const records = await this.store.attachmentsOf(scope, ATTACHMENT_SWEEP_BATCH);
      if (records.length === 0) return removed;
      // Records first: once gone, nothing can serve or claim the blobs.
      const deleted = await this.store.deleteAttachments(records.map((r) => r.id));
      if (deleted.length > 0) {
        const blobs = await this.blobs();
        await Promise.all(deleted.map((r) => removeBlobs(blobs, r.id)));
      }
      removed += deleted.length;
      if (records.length < ATTACHMENT_SWEEP_BATCH) return removed;
    }
  }

  /** Resolves once the removals under way are done (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
