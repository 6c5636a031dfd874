/**
 * Server icon checks, as for avatars (lib/images.ts): the type comes from the bytes, a claimed
 * Content-Type must agree with them, and a truncated file is refused.
 */
import { Invalid } from "../errors.ts";
import { type ImageType, isCompleteImage, sniffImageType } from "../images.ts";
import { SERVER_ICON_MAX_BYTES } from "../limits.ts";

/** The icon's real image type; `400 invalid_image` / `image_too_large` otherwise. */
export function checkIcon(bytes: Uint8Array, claimedType?: string): ImageType {
  if (bytes.length === 0) throw new Invalid("invalid_image", "The image is empty.", "icon");
  if (bytes.length > SERVER_ICON_MAX_BYTES) {
    throw new Invalid(
      "image_too_large",
      `The icon must be at most ${SERVER_ICON_MAX_BYTES} bytes: it is ${bytes.length} bytes.`,
      "icon",
    );
  }
  const type = sniffImageType(bytes);
  if (!type) {
    throw new Invalid("invalid_image", "The file is not a PNG, JPEG, WebP or GIF image.", "icon");
  }
  if (claimedType !== undefined && claimedType !== type) {
    throw new Invalid(
      "invalid_image",
      `The file is ${type}, but it was sent as ${claimedType}.`,
      "icon",
    );
  }
  if (!isCompleteImage(type, bytes)) {
    throw new Invalid("invalid_image", "The image file is incomplete.", "icon");
  }
  return type;
}

/** A new icon version: changes with each upload, so the icon's URL can be cached forever. */
export function newIconVersion(now: number): string {
  return `${now.toString(36)}${crypto.randomUUID().slice(0, 8)}`;
}
