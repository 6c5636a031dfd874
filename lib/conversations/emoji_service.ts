/**
 * A server's custom emoji (API.md "Conversations", "Precisions"): names `[a-z0-9_]{2,32}`,
 * unique in the server; the raw image at most CUSTOM_EMOJI_MAX_BYTES (413 above), a PNG, JPEG,
 * WebP or GIF by its bytes. Members list them and fetch their images; creating and deleting
 * need `manage_server`. In reactions such an emoji is the string `:name:`.
 */
import { v7 as uuidv7 } from "uuid";
import type { UserRecord } from "../../db/store.ts";
import type { EmojiRecord } from "../../db/conversation_store.ts";
import type { StoredImage } from "../../db/blob_moves.ts";
import { EmojiNameTakenError } from "../../db/conversation_store.ts";
import { Conflict, Invalid, NotFound, PayloadTooLarge } from "../errors.ts";
import { isCompleteImage, sniffImageType } from "../images.ts";
import { CUSTOM_EMOJI_MAX_BYTES, CUSTOM_EMOJIS_PER_SERVER_MAX } from "../limits.ts";
import type { ChatDeps } from "../chat/chat_deps.ts";
import { memberAccess, plausibleId, requireServerPermission } from "../chat/membership.ts";
import type { WireEmoji } from "../realtime/protocol.ts";
import { auditEntry } from "../governance/audit.ts";

/** Where an emoji's image is served (members only). */
export function emojiUrl(emoji: Pick<EmojiRecord, "id" | "serverId">): string {
  return `/api/servers/${emoji.serverId}/emojis/${emoji.id}`;
}

export function toWireEmoji(emoji: EmojiRecord): WireEmoji {
  return { id: emoji.id, name: emoji.name, url: emojiUrl(emoji) };
}

/** A custom emoji's name, or `400 invalid_emoji_name`. */
export function checkEmojiName(name: unknown): string {
  if (typeof name !== "string" || !/^[a-z0-9_]{2,32}$/.test(name)) {
    throw new Invalid(
      "invalid_emoji_name",
      "An emoji name is 2 to 32 characters of a-z, 0-9 and _.",
      "name",
    );
  }
  return name;
}

export class EmojiService {
  constructor(readonly deps: ChatDeps) {}

  /** The server's emoji, oldest first (members). */
  async list(user: UserRecord, serverId: string): Promise<WireEmoji[]> {
    await memberAccess(this.deps, user, serverId, { confirm: true });
    return (await this.deps.store.listEmojis(serverId)).map(toWireEmoji);
  }

  /** Adds an emoji (`manage_server`). */
  async create(
    user: UserRecord,
    serverId: string,
    rawName: unknown,
    bytes: Uint8Array,
  ): Promise<WireEmoji> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "manage_server", "manage this server's emoji");
    const name = checkEmojiName(rawName);
    if (bytes.length > CUSTOM_EMOJI_MAX_BYTES) throw new PayloadTooLarge(CUSTOM_EMOJI_MAX_BYTES);
    const type = bytes.length > 0 ? sniffImageType(bytes) : null;
    if (!type || !isCompleteImage(type, bytes)) {
      throw new Invalid("invalid_image", "The emoji must be a PNG, JPEG, WebP or GIF image.");
    }
    const existing = await this.deps.store.listEmojis(serverId);
    if (existing.length >= CUSTOM_EMOJIS_PER_SERVER_MAX) {
      throw new Invalid(
        "too_many_emojis",
        `A server has at most ${CUSTOM_EMOJIS_PER_SERVER_MAX} custom emoji.`,
      );
    }
    const emoji: EmojiRecord = {
      id: uuidv7(),
      serverId,
      name,
      contentType: type,
      createdBy: user.id,
      createdAt: new Date(this.deps.now()),
    };
    try {
      await this.deps.store.createEmoji(
        emoji,
        bytes,
        auditEntry(this.deps.now(), {
          serverId,
          action: "emoji_create",
          actorId: user.id,
          targetType: "emoji",
          targetId: emoji.id,
          changes: [{ key: "name", old: null, new: name }],
        }),
      );
    } catch (error) {
      if (!(error instanceof EmojiNameTakenError)) throw error;
      throw new Conflict("emoji_exists", `This server already has an emoji :${name}:.`, "name");
    }
    return toWireEmoji(emoji);
  }

  /** Deletes an emoji (`manage_server`). */
  async delete(user: UserRecord, serverId: string, emojiId: string): Promise<void> {
    const access = await memberAccess(this.deps, user, serverId, { confirm: true });
    requireServerPermission(access, user.id, "manage_server", "manage this server's emoji");
    const found = plausibleId(emojiId) ? await this.deps.store.findEmojiImage(emojiId) : null;
    const audit = found && auditEntry(this.deps.now(), {
      serverId,
      action: "emoji_delete",
      actorId: user.id,
      targetType: "emoji",
      targetId: emojiId,
      changes: [{ key: "name", old: found.emoji.name, new: null }],
    });
    if (!audit || !(await this.deps.store.deleteEmoji(serverId, emojiId, audit))) {
      throw new NotFound("not_found", "No such emoji.");
    }
  }

  /** An emoji's image (members of its server). */
  async image(
    user: UserRecord,
    serverId: string,
    emojiId: string,
  ): Promise<{ contentType: string; bytes: Uint8Array }> {
    await memberAccess(this.deps, user, serverId, { confirm: true });
    const found = plausibleId(emojiId) ? await this.deps.store.findEmojiImage(emojiId) : null;
    if (!found || found.emoji.serverId !== serverId) {
      throw new NotFound("not_found", "No such emoji.");
    }
    return { contentType: found.emoji.contentType, bytes: found.bytes };
  }

  /** `image` as a stream from the blob store (what the emoji route serves). */
  async openImage(user: UserRecord, serverId: string, emojiId: string): Promise<StoredImage> {
    await memberAccess(this.deps, user, serverId, { confirm: true });
    const found = plausibleId(emojiId) ? await this.deps.store.openEmojiImage(emojiId) : null;
    if (!found || found.emoji.serverId !== serverId) {
      await found?.image.body.cancel();
      throw new NotFound("not_found", "No such emoji.");
    }
    return found.image;
  }
}
