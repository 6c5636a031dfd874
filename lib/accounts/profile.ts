/**
 * A user's profile: display name and bio, and avatar (the e-mail: email_change.ts). Each change
 * is announced (`onChanged`: lib/services.ts publishes `user_updated` to the user's servers), so
 * names and avatars everywhere follow live.
 */
import type { AvatarRecord, Store, UserRecord } from "../../db/store.ts";
import type { StoredImage } from "../../db/blob_moves.ts";
import { Invalid, NotFound } from "../errors.ts";
import { isCompleteImage, sniffImageType } from "../images.ts";
import type { ImageType } from "../images.ts";
import { AVATAR_MAX_BYTES } from "../limits.ts";
import { toPublicUser } from "../public_user.ts";
import type { PublicUser } from "../public_user.ts";
import { cleanBio, cleanDisplayName } from "../text.ts";

export interface ProfileInput {
  displayName?: unknown;
  bio?: unknown;
}

export class ProfileService {
  constructor(
    readonly store: Store,
    readonly now: () => number,
    readonly onChanged: (user: PublicUser) => void = () => {},
  ) {}

  /** Updates display name and/or bio; absent fields stay as they are. */
  async updateProfile(userId: string, input: ProfileInput): Promise<PublicUser> {
    const patch = {
      displayName: input.displayName === undefined
        ? undefined
        : cleanDisplayName(input.displayName),
      bio: input.bio === undefined ? undefined : cleanBio(input.bio),
    };
    const user = await this.store.updateProfile(userId, patch);
    if (!user) throw new NotFound("not_found", "No such user.");
    return this.#changed(toPublicUser(user));
  }

  /**
   * Stores a new avatar. The bytes decide the type; `claimedType`, when given (the API's
   * Content-Type), must agree with them.
   */
  async setAvatar(userId: string, bytes: Uint8Array, claimedType?: string): Promise<PublicUser> {
    const type = checkAvatar(bytes, claimedType);
    const user = await this.store.putAvatar(userId, {
      contentType: type,
      bytes,
      version: `${this.now().toString(36)}${crypto.randomUUID().slice(0, 8)}`,
    });
    if (!user) throw new NotFound("not_found", "No such user.");
    return this.#changed(toPublicUser(user));
  }

  #changed(user: PublicUser): PublicUser {
    this.onChanged(user);
    return user;
  }

  /** The user's uploaded avatar, or null (then the generated default is shown). */
  async getAvatar(userId: string): Promise<AvatarRecord | null> {
    return await this.store.findAvatar(userId);
  }

  /** `getAvatar` as a stream from the blob store (what the avatar route serves). */
  async openAvatar(userId: string): Promise<StoredImage | null> {
    return await this.store.openAvatar(userId);
  }

  /** A user by id, or NotFound. */
  async getUser(userId: string): Promise<UserRecord> {
    const user = await this.store.findUserById(userId);
    if (!user) throw new NotFound("not_found", "No such user.");
    return user;
  }
}

/** Checks size, real type, completeness, and agreement with a claimed type. */
function checkAvatar(bytes: Uint8Array, claimedType?: string): ImageType {
  if (bytes.length === 0) throw new Invalid("invalid_image", "The image is empty.", "avatar");
  if (bytes.length > AVATAR_MAX_BYTES) {
    throw new Invalid(
      "image_too_large",
      `The image must be at most ${
        AVATAR_MAX_BYTES / 1024 / 1024
      } MiB: it is ${bytes.length} bytes.`,
      "avatar",
    );
  }
  const type = sniffImageType(bytes);
  if (!type) {
    throw new Invalid("invalid_image", "The file is not a PNG, JPEG, WebP or GIF image.", "avatar");
  }
  if (claimedType !== undefined && claimedType !== type) {
    throw new Invalid(
      "invalid_image",
      `The file is ${type}, but it was sent as ${claimedType}.`,
      "avatar",
    );
  }
  if (!isCompleteImage(type, bytes)) {
    throw new Invalid("invalid_image", "The image file is incomplete.", "avatar");
  }
  return type;
}
