/**
 * Uploaded images (PNG, JPEG, WebP, GIF) through sharp (libvips): the EXIF orientation applied,
 * then every metadata block (EXIF with its GPS position, XMP, comments) dropped by re-encoding
 * in the same format; animations keep their frames. Also a WebP thumbnail of at most
 * ATTACHMENT_THUMBNAIL_MAX_PX and a thumbhash placeholder (from a ≤ 100 px RGBA resize).
 *
 * The size is read from the header before any pixel is decoded: an image that would decode to
 * more than ATTACHMENT_IMAGE_MAX_PIXELS (a decompression bomb: a few KB standing for
 * 30000 × 30000) is refused, and sharp is told the same bound (`limitInputPixels`).
 *
 * sharp is a native module: when it cannot load, `loadImageProcessor` says so once and returns
 * null, and images are then stored as they came (no thumbnail, no placeholder) and served as
 * downloads, never inline, since their metadata was not removed.
 */
import { rgbaToThumbHash } from "thumbhash";
import { Invalid } from "../errors.ts";
import type { ImageType } from "../images.ts";
import {
  ATTACHMENT_IMAGE_MAX_PIXELS,
  ATTACHMENT_PLACEHOLDER_MAX_PX,
  ATTACHMENT_THUMBNAIL_MAX_PX,
} from "../limits.ts";

type Sharp = typeof import("sharp");

/** An image as it will be stored. */
export interface ProcessedImage {
  bytes: Uint8Array;
  width: number;
  height: number;
  thumbnail: Uint8Array;
  /** Thumbhash, base64. */
  placeholder: string;
}

export interface ImageProcessor {
  /** Throws `400 invalid_image` for an image that cannot be read or is too large to decode. */
  process(bytes: Uint8Array, type: ImageType): Promise<ProcessedImage>;
}

let loading: Promise<ImageProcessor | null> | undefined;

/** The processor, or null (said once on stderr) when sharp cannot load here. */
export function loadImageProcessor(): Promise<ImageProcessor | null> {
  loading ??= import("sharp").then(
    (module) => sharpProcessor((module as { default: Sharp }).default),
    (error) => {
      console.error(
        `Image processing is off (sharp could not load: ${
          error instanceof Error ? error.message : error
        }): images are stored without thumbnails and served as downloads.`,
      );
      return null;
    },
  );
  return loading;
}

const unreadable = () =>
  new Invalid("invalid_image", "The image could not be read: it is damaged or not an image.");

function sharpProcessor(sharp: Sharp): ImageProcessor {
  const open = (bytes: Uint8Array, animated: boolean) =>
    sharp(bytes, { animated, limitInputPixels: ATTACHMENT_IMAGE_MAX_PIXELS, failOn: "error" });
  return {
    async process(bytes, type) {
      let meta;
      try {
        // The header only (no pixel decoded): the size is checked below, with a clear message.
        meta = await sharp(bytes, { animated: true, limitInputPixels: false }).metadata();
      } catch {
        throw unreadable();
      }
      const frameHeight = meta.pageHeight ?? meta.height ?? 0;
      const frames = meta.pages ?? 1;
      const width = meta.width ?? 0;
      if (width === 0 || frameHeight === 0) throw unreadable();
      if (width * frameHeight * frames > ATTACHMENT_IMAGE_MAX_PIXELS) {
        throw new Invalid(
          "image_too_large",
          `The image is ${width} × ${frameHeight} px${
            frames > 1 ? ` × ${frames} frames` : ""
          }: at most ${ATTACHMENT_IMAGE_MAX_PIXELS} pixels may be decoded.`,
        );
      }
      // Orientations 5–8 turn the picture a quarter: its sides swap once applied.
      const turned = (meta.orientation ?? 1) >= 5;
      const animated = frames > 1;
      try {
        const rotated = () => open(bytes, animated).rotate();
        const encoded = type === "image/png"
          ? rotated().png()
          : type === "image/jpeg"
          ? rotated().jpeg({ quality: 90 })
          : type === "image/webp"
          ? rotated().webp({ quality: 90 })
          : rotated().gif();
        const still = () => open(bytes, false).rotate();
        const [output, thumbnail, small] = await Promise.all([
          encoded.toBuffer(),
          still().resize(ATTACHMENT_THUMBNAIL_MAX_PX, ATTACHMENT_THUMBNAIL_MAX_PX, {
            fit: "inside",
            withoutEnlargement: true,
          }).webp({ quality: 80 }).toBuffer(),
          still().resize(ATTACHMENT_PLACEHOLDER_MAX_PX, ATTACHMENT_PLACEHOLDER_MAX_PX, {
            fit: "inside",
          }).ensureAlpha().raw().toBuffer({ resolveWithObject: true }),
        ]);
        const hash = rgbaToThumbHash(small.info.width, small.info.height, small.data);
        return {
          bytes: new Uint8Array(output),
          width: turned ? frameHeight : width,
          height: turned ? width : frameHeight,
          thumbnail: new Uint8Array(thumbnail),
          placeholder: btoa(String.fromCharCode(...hash)),
        };
      } catch (error) {
        if (error instanceof Invalid) throw error;
        throw unreadable();
      }
    },
  };
}
