/**
 * Attachment records on PostgreSQL (db/attachment_store.ts, migration 012). A message claims its
 * attachments in its append's transaction (`claimAttachments`).
 */
import type { Sql } from "postgres";
import type { AttachmentRecord, AttachmentScope, AttachmentStore } from "../attachment_store.ts";
import { InvalidAttachmentError } from "../attachment_store.ts";
import type { NewMessage } from "../store.ts";

interface AttachmentRow {
  id: string;
  server_id: string;
  channel_id: string;
  uploader_id: string;
  filename: string;
  content_type: string;
  size: string | number;
  width: number | null;
  height: number | null;
  placeholder: string | null;
  thumbnail_size: string | number | null;
  created_at: Date;
  message_id: string | null;
}

function toAttachment(row: AttachmentRow): AttachmentRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    channelId: row.channel_id,
    uploaderId: row.uploader_id,
    filename: row.filename,
    contentType: row.content_type,
    size: Number(row.size),
    width: row.width,
    height: row.height,
    placeholder: row.placeholder,
    thumbnailSize: row.thumbnail_size === null ? null : Number(row.thumbnail_size),
    createdAt: row.created_at,
    messageId: row.message_id,
  };
}

export class PostgresAttachments implements AttachmentStore {
  constructor(private readonly sql: Sql) {}

  async createAttachment(r: AttachmentRecord): Promise<void> {
    await this.sql`INSERT INTO attachments (id, server_id, channel_id, uploader_id, filename,
      content_type, size, width, height, placeholder, thumbnail_size, created_at, message_id)
      VALUES (${r.id}, ${r.serverId}, ${r.channelId}, ${r.uploaderId}, ${r.filename},
        ${r.contentType}, ${r.size}, ${r.width}, ${r.height}, ${r.placeholder},
        ${r.thumbnailSize}, ${r.createdAt}, ${r.messageId})`;
  }

  async findAttachments(ids: string[]): Promise<AttachmentRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<AttachmentRow[]>`SELECT * FROM attachments
      WHERE id = ANY(${[...new Set(ids)]}::text[])`;
    return rows.map(toAttachment);
  }

  async uploadedBytesOf(userId: string): Promise<number> {
    const [row] = await this.sql<{ total: string | null }[]>`
      SELECT sum(size + coalesce(thumbnail_size, 0)) AS total FROM attachments
      WHERE uploader_id = ${userId}`;
    return Number(row?.total ?? 0);
  }

  async listUnclaimedAttachments(before: Date, limit: number): Promise<AttachmentRecord[]> {
    const rows = await this.sql<AttachmentRow[]>`SELECT * FROM attachments
      WHERE message_id IS NULL AND created_at < ${before} ORDER BY created_at LIMIT ${limit}`;
    return rows.map(toAttachment);
  }

  async attachmentsOf(scope: AttachmentScope, limit: number): Promise<AttachmentRecord[]> {
    const rows = "messageId" in scope
      ? await this.sql<AttachmentRow[]>`SELECT * FROM attachments
          WHERE message_id = ${scope.messageId} LIMIT ${limit}`
      : "channelId" in scope
      ? await this.sql<AttachmentRow[]>`SELECT * FROM attachments
          WHERE channel_id = ${scope.channelId} LIMIT ${limit}`
      : await this.sql<AttachmentRow[]>`SELECT * FROM attachments
          WHERE server_id = ${scope.serverId} LIMIT ${limit}`;
    return rows.map(toAttachment);
  }

  async deleteAttachments(
    ids: string[],
    options: { unclaimedOnly?: boolean } = {},
  ): Promise<AttachmentRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<AttachmentRow[]>`DELETE FROM attachments
      WHERE id = ANY(${[...new Set(ids)]}::text[])
        AND (${!options.unclaimedOnly} OR message_id IS NULL) RETURNING *`;
    return rows.map(toAttachment);
  }
}

/**
 * Claims the message's attachments in the append's transaction: each must be the author's
 * unsent upload to the message's channel, else InvalidAttachmentError (and the transaction,
 * message and all, rolls back).
 */
export async function claimAttachments(tx: Sql, message: NewMessage): Promise<void> {
  const ids = (message.attachments ?? []).map((a) => a.id);
  if (ids.length === 0) return;
  const claimed = await tx<{ id: string }[]>`UPDATE attachments SET message_id = ${message.id}
    WHERE id = ANY(${ids}::text[]) AND uploader_id = ${message.authorId}
      AND channel_id = ${message.channelId} AND message_id IS NULL
    RETURNING id`;
  if (claimed.length !== ids.length || new Set(ids).size !== ids.length) {
    const taken = new Set(claimed.map((row) => row.id));
    throw new InvalidAttachmentError(ids.find((id) => !taken.has(id)) ?? ids[0]);
  }
}
