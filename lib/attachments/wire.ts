/** Attachments in the API's shape (API.md "Attachments"), and where their bytes are kept. */
import type { MessageAttachment } from "../../db/attachment_store.ts";
import type { WireAttachment } from "../realtime/protocol.ts";

/** The blob of the file itself. */
export const fileKeyOf = (id: string) => `attachments/${id}/file`;
/** The blob of its WebP thumbnail (images only). */
export const thumbnailKeyOf = (id: string) => `attachments/${id}/thumbnail`;
/** What every attachment blob key starts with (the sweep of blobs without a record). */
export const ATTACHMENT_BLOB_PREFIX = "attachments/";

/** The attachment id a blob key belongs to, or null. */
export function attachmentIdOfKey(key: string): string | null {
  return /^attachments\/([^/]+)\/(file|thumbnail)$/.exec(key)?.[1] ?? null;
}

/** `/files/<id>/<name>`: the name is only for the browser's save dialog and the address bar. */
export function fileUrlOf(id: string, filename: string): string {
  return `/files/${id}/${encodeURIComponent(filename)}`;
}

export function toWireAttachment(attachment: MessageAttachment): WireAttachment {
  const { id, filename } = attachment;
  return {
    id,
    filename,
    contentType: attachment.contentType,
    size: attachment.size,
    width: attachment.width,
    height: attachment.height,
    placeholder: attachment.placeholder,
    url: fileUrlOf(id, filename),
    thumbnailUrl: attachment.thumbnailSize === null
      ? null
      : `/files/${id}/thumbnail/${encodeURIComponent(filename)}`,
  };
}
