/**
 * The storage side of attachments (API.md "Attachments"): the record of each uploaded file (its
 * bytes are in the blob store, db/blob_store.ts, under the keys lib/attachments/blob_keys.ts
 * makes). An upload is unclaimed until a message names it: `appendMessage` claims the
 * attachments its message carries in the same commit as the message, so no message ever names
 * a file another message took, and no claimed file is left without its message by a failure in
 * between. Unclaimed uploads older than a day are swept (lib/attachments/orphan_sweeper.ts);
 * deleting a message, a channel or a server removes their files after the deletion
 * (lib/attachments/attachment_cleanup.ts).
 */

/** An uploaded file as stored. */
export interface AttachmentRecord {
  id: string;
  serverId: string;
  channelId: string;
  uploaderId: string;
  /** Cleaned at upload (no path, no control characters). */
  filename: string;
  /** Read from the bytes (lib/attachments/file_typing.ts), never from the name or header. */
  contentType: string;
  /** Bytes of the stored file (after metadata removal). */
  size: number;
  /** Images only (after orientation): else null. */
  width: number | null;
  height: number | null;
  /** A thumbhash (base64), images only. */
  placeholder: string | null;
  /** Bytes of the WebP thumbnail; null: none (not an image, or no image library). */
  thumbnailSize: number | null;
  createdAt: Date;
  /** The message that names it; null while unsent. */
  messageId: string | null;
}

/** What a message keeps of each of its attachments (its snapshot at send, in the sender's order). */
export type MessageAttachment = Pick<
  AttachmentRecord,
  "id" | "filename" | "contentType" | "size" | "width" | "height" | "placeholder" | "thumbnailSize"
>;

/** The attachment's part of a message record. */
export function toMessageAttachment(record: AttachmentRecord): MessageAttachment {
  const { id, filename, contentType, size, width, height, placeholder, thumbnailSize } = record;
  return { id, filename, contentType, size, width, height, placeholder, thumbnailSize };
}

/** Bytes an attachment takes in its uploader's quota: the file and its thumbnail. */
export function storedBytesOf(record: AttachmentRecord): number {
  return record.size + (record.thumbnailSize ?? 0);
}

/**
 * Thrown by `appendMessage` when an attachment of the message is not its author's unsent upload
 * to that channel (someone else's, another channel's, already sent, or gone): nothing is stored.
 */
export class InvalidAttachmentError extends Error {
  constructor(readonly attachmentId: string) {
    super(`Attachment ${attachmentId} is not an unsent upload of the author to this channel`);
    this.name = "InvalidAttachmentError";
  }
}

/** Whose attachments `attachmentsOf` lists. */
export type AttachmentScope = { messageId: string } | { channelId: string } | {
  serverId: string;
};

export interface AttachmentStore {
  /** Stores a new, unclaimed upload. */
  createAttachment(record: AttachmentRecord): Promise<void>;
  /** Attachments by id, in no particular order; unknown ids are skipped. */
  findAttachments(ids: string[]): Promise<AttachmentRecord[]>;
  /** The bytes of every stored upload of the user (files and thumbnails, sent or not). */
  uploadedBytesOf(userId: string): Promise<number>;
  /** Unclaimed uploads created before `before`, oldest first, at most `limit`. */
  listUnclaimedAttachments(before: Date, limit: number): Promise<AttachmentRecord[]>;
  /** Attachments of a message (claimed by it), a channel or a server, at most `limit`. */
  attachmentsOf(scope: AttachmentScope, limit: number): Promise<AttachmentRecord[]>;
  /**
   * Deletes these records; returns those that were there. `unclaimedOnly` (the orphan sweep):
   * only those no message claimed, checked in the delete itself.
   */
  deleteAttachments(
    ids: string[],
    options?: { unclaimedOnly?: boolean },
  ): Promise<AttachmentRecord[]>;
}
