/**
 * Attachments (API.md "Attachments"): uploads into a channel (`attach_files`, no time-out),
 * their checks when a message names them, and reading them back for the file route.
 *
 * An upload streams into the blob store and is cut at ATTACHMENT_MAX_BYTES (or at what is left
 * of the uploader's UPLOAD_QUOTA_BYTES): nothing of a refused upload is kept. Its type comes
 * from its first bytes (file_typing.ts). An image is the exception to streaming: it is read
 * whole (it is at most ATTACHMENT_MAX_BYTES) to be re-encoded without its metadata
 * (image_processing.ts). The blob is written before the record, so a crash in between leaves a
 * blob no record names, which the orphan sweep removes; never a record without its bytes.
 *
 * The quota is checked against what is stored when the upload starts: uploads running at once
 * may together pass it by at most one upload's size each.
 */
import type { AttachmentRecord, MessageAttachment } from "../../db/attachment_store.ts";
import { toMessageAttachment } from "../../db/attachment_store.ts";
import type { BlobRange, BlobRead, BlobStore } from "../../db/blob_store.ts";
import { BlobTooLargeError } from "../../db/blob_store.ts";
import type { UserRecord } from "../../db/store.ts";
import { v7 as uuidv7 } from "uuid";
import {
  Forbidden,
  HttpError,
  Invalid,
  NotFound,
  PayloadTooLarge,
  Unauthorized,
} from "../errors.ts";
import {
  ATTACHMENT_FILENAME_MAX_LENGTH,
  ATTACHMENT_SIGNED_URL_TTL_S,
  ATTACHMENT_SNIFF_BYTES,
  ATTACHMENTS_PER_MESSAGE_MAX,
} from "../limits.ts";
import type { WireAttachment } from "../realtime/protocol.ts";
import type { ChannelPlaces } from "../chat/channel_places.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import {
  plausibleId,
  requireChannelPermission,
  requireNotTimedOut,
  viewableChannel,
} from "../chat/membership.ts";
import { sniffFile } from "./file_typing.ts";
import type { ImageProcessor } from "./image_processing.ts";
import type { UrlSigner } from "./signed_urls.ts";
import { peek, readAtMost, streamOf } from "./streams.ts";
import { fileKeyOf, fileUrlOf, thumbnailKeyOf, toWireAttachment } from "./wire.ts";

export interface AttachmentServiceOptions {
  /** The blob store (opened when first needed). */
  blobs: () => Promise<BlobStore>;
  /** Null: sharp did not load; images are stored as they came and served as downloads. */
  images: ImageProcessor | null;
  signer: UrlSigner;
  /** `ATTACHMENT_MAX_BYTES`. */
  maxBytes: number;
  /** `UPLOAD_QUOTA_BYTES`. */
  quotaBytes: number;
}

/** An upload as the route hands it over. */
export interface UploadInput {
  filename: string | undefined;
  body: ReadableStream<Uint8Array> | null;
  /** The request's Content-Length, when it gave one. */
  length: number | null;
}

/** What the file route serves. */
export interface OpenedFile {
  attachment: AttachmentRecord;
  blob: BlobRead;
  thumbnail: boolean;
}

/** How a file is asked for. */
export interface FileRequest {
  thumbnail: boolean;
  exp?: string;
  sig?: string;
  range?: BlobRange;
}

/** A file name as stored: its last path part, no control characters, cut to the limit. */
export function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? "").split(/[/\\]/).pop() ?? "";
  // deno-lint-ignore no-control-regex
  const name = base.replace(/[\x00-\x1f\x7f]/g, "").trim();
  if (name === "" || name === "." || name === "..") return "file";
  const chars = [...name];
  if (chars.length <= ATTACHMENT_FILENAME_MAX_LENGTH) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? [...name.slice(dot)].slice(0, 16).join("") : "";
  return chars.slice(0, ATTACHMENT_FILENAME_MAX_LENGTH - [...extension].length).join("") +
    extension;
}

export class AttachmentService {
  constructor(
    readonly deps: ChatDeps,
    readonly places: ChannelPlaces,
    readonly options: AttachmentServiceOptions,
  ) {}

  /** Stores an upload to a channel; its attachment in the API's shape. */
  async upload(user: UserRecord, channelId: string, input: UploadInput): Promise<WireAttachment> {
    const { channel, access } = await viewableChannel(this.deps, this.places, user, channelId);
    requireChannelPermission(access, user.id, channel.id, "attach_files", "attach files here");
    requireNotTimedOut(access, user.id, this.deps.now());
    const { maxBytes, quotaBytes } = this.options;
    if (input.length !== null && input.length > maxBytes) throw new PayloadTooLarge(maxBytes);
    const used = await this.deps.store.uploadedBytesOf(user.id);
    const room = quotaBytes - used;
    if (room <= 0 || (input.length !== null && input.length > room)) {
      throw quotaExceeded(quotaBytes, used);
    }
    if (!input.body) throw new Invalid("invalid_attachment", "The upload has no body.");
    const limit = Math.min(maxBytes, room);
    const tooLarge = () =>
      limit < maxBytes ? quotaExceeded(quotaBytes, used) : new PayloadTooLarge(maxBytes);
    const id = uuidv7();
    const { head, complete, stream } = await peek(input.body, ATTACHMENT_SNIFF_BYTES);
    const kind = sniffFile(head, complete);
    const blobs = await this.options.blobs();
    const images = this.options.images;
    let stored: Omit<AttachmentRecord, "id" | "serverId" | "channelId" | "uploaderId">;
    try {
      if (kind.kind === "image" && images) {
        const image = await images.process(
          await readAtMost(stream, limit, tooLarge),
          kind.contentType,
        );
        if (image.bytes.length + image.thumbnail.length > room) {
          throw quotaExceeded(quotaBytes, used);
        }
        await blobs.put(fileKeyOf(id), streamOf(image.bytes), {
          contentType: kind.contentType,
          maxBytes: image.bytes.length,
          length: image.bytes.length,
        });
        await blobs.put(thumbnailKeyOf(id), streamOf(image.thumbnail), {
          contentType: "image/webp",
          maxBytes: image.thumbnail.length,
          length: image.thumbnail.length,
        });
        stored = {
          filename: cleanFilename(input.filename),
          contentType: kind.contentType,
          size: image.bytes.length,
          width: image.width,
          height: image.height,
          placeholder: image.placeholder,
          thumbnailSize: image.thumbnail.length,
          createdAt: new Date(this.deps.now()),
          messageId: null,
        };
      } else {
        const { size } = await blobs.put(fileKeyOf(id), stream, {
          contentType: kind.contentType,
          maxBytes: limit,
          // Declared by the request (its body has exactly this many bytes, or fails).
          length: input.length ?? undefined,
        }).catch((error) => {
          throw error instanceof BlobTooLargeError ? tooLarge() : error;
        });
        stored = {
          filename: cleanFilename(input.filename),
          contentType: kind.contentType,
          size,
          width: null,
          height: null,
          placeholder: null,
          thumbnailSize: null,
          createdAt: new Date(this.deps.now()),
          messageId: null,
        };
      }
    } catch (error) {
      // A refused image may have been partly written (its file but not its thumbnail).
      await removeBlobs(blobs, id).catch(() => {});
      await stream.cancel().catch(() => {});
      throw error;
    }
    const record: AttachmentRecord = {
      id,
      serverId: channel.serverId,
      channelId: channel.id,
      uploaderId: user.id,
      ...stored,
    };
    try {
      await this.deps.store.createAttachment(record);
    } catch (error) {
      await removeBlobs(blobs, id).catch(() => {});
      throw error;
    }
    return toWireAttachment(toMessageAttachment(record));
  }

  /**
   * The attachments a send names (`attachments: [id]`, at most ATTACHMENTS_PER_MESSAGE_MAX),
   * in that order: each must be the sender's own upload to this channel, else
   * `400 invalid_attachment`. That it is unsent is checked by the append itself, atomically.
   */
  async forSend(user: UserRecord, channelId: string, raw: unknown): Promise<MessageAttachment[]> {
    const ids = attachmentIds(raw);
    if (ids.length === 0) return [];
    const found = new Map(
      (await this.deps.store.findAttachments(ids)).map((record) => [record.id, record]),
    );
    return ids.map((id) => {
      const record = found.get(id);
      if (!record || record.uploaderId !== user.id || record.channelId !== channelId) {
        throw invalidAttachment(id);
      }
      return toMessageAttachment(record);
    });
  }

  /**
   * A file (or its thumbnail) for whoever may view its channel and read its history (an unsent
   * upload: its uploader only), or holds a valid signed URL. NotFound otherwise (401 without any
   * credentials, 403 for a signature that is wrong or expired).
   */
  async open(user: UserRecord | null, id: string, request: FileRequest): Promise<OpenedFile> {
    const attachment = plausibleId(id)
      ? (await this.deps.store.findAttachments([id]))[0]
      : undefined;
    const signed = request.sig !== undefined || request.exp !== undefined;
    if (signed) {
      const valid = attachment !== undefined &&
        await this.options.signer.verify(id, request.exp ?? "", request.sig ?? "", this.deps.now());
      if (!valid) throw new Forbidden("forbidden", "This file link is not valid or has expired.");
    } else {
      if (!user) throw new Unauthorized();
      if (!attachment) throw new NotFound("not_found", "No such file.");
      await this.#requireReader(user, attachment);
    }
    const key = request.thumbnail ? thumbnailKeyOf(attachment!.id) : fileKeyOf(attachment!.id);
    const blob = await (await this.options.blobs()).get(key, request.range);
    if (!blob) throw new NotFound("not_found", "No such file.");
    return { attachment: attachment!, blob, thumbnail: request.thumbnail };
  }

  /** A URL of the file that works without credentials for ATTACHMENT_SIGNED_URL_TTL_S. */
  async signedUrl(user: UserRecord, id: string): Promise<{ url: string; expiresAt: string }> {
    const attachment = plausibleId(id)
      ? (await this.deps.store.findAttachments([id]))[0]
      : undefined;
    if (!attachment) throw new NotFound("not_found", "No such file.");
    await this.#requireReader(user, attachment);
    const expiresAt = this.deps.now() + ATTACHMENT_SIGNED_URL_TTL_S * 1000;
    const { exp, sig } = await this.options.signer.sign(attachment.id, expiresAt);
    return {
      url: `${fileUrlOf(attachment.id, attachment.filename)}?exp=${exp}&sig=${sig}`,
      expiresAt: new Date(Number(exp) * 1000).toISOString(),
    };
  }

  async #requireReader(user: UserRecord, attachment: AttachmentRecord): Promise<void> {
    if (attachment.messageId === null && attachment.uploaderId !== user.id) {
      throw new NotFound("not_found", "No such file.");
    }
    const { channel, access } = await viewableChannel(
      this.deps,
      this.places,
      user,
      attachment.channelId,
      { confirm: true, thing: "file" },
    );
    requireChannelPermission(access, user.id, channel.id, "read_history", "read this file");
  }
}

/** The ids of a send's `attachments` field (absent: none). */
export function attachmentIds(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((id) => typeof id !== "string" || !plausibleId(id))) {
    throw new Invalid(
      "invalid_attachment",
      "attachments must be a list of attachment ids.",
      "attachments",
    );
  }
  if (raw.length > ATTACHMENTS_PER_MESSAGE_MAX) {
    throw new Invalid(
      "invalid_attachment",
      `A message may carry at most ${ATTACHMENTS_PER_MESSAGE_MAX} attachments: got ${raw.length}.`,
      "attachments",
    );
  }
  if (new Set(raw).size < raw.length) {
    throw new Invalid("invalid_attachment", "An attachment is named twice.", "attachments");
  }
  return raw as string[];
}

export function invalidAttachment(id: string): Invalid {
  return new Invalid(
    "invalid_attachment",
    `Attachment ${id} is not your unsent upload to this channel.`,
    "attachments",
  );
}

function quotaExceeded(quotaBytes: number, usedBytes: number): HttpError {
  return new HttpError(
    413,
    "quota_exceeded",
    `Your uploads may take at most ${quotaBytes} bytes and already take ${usedBytes}: delete some messages with files, or send a smaller one.`,
  );
}

/** Removes an attachment's blobs (those there are). */
export async function removeBlobs(blobs: BlobStore, id: string): Promise<void> {
  await Promise.all([blobs.delete(fileKeyOf(id)), blobs.delete(thumbnailKeyOf(id))]);
}
