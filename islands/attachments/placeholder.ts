/**
 * An image's placeholder (its thumbhash drawn as a tiny PNG, placeholder_decode.ts), shown as
 * under the image, filling its box, until the image loads. What the chat page's first load
 * carries of it is this lookup only:
 *
 * - On the server the decoder is installed (placeholder_server.ts): the page's HTML has every
 *   image's placeholder.
 * - In the browser, hydration leaves those as they are (Preact does not diff props while it
 *   hydrates, and later renders change only what changed), so the decoder is imported only
 *   when an image is first drawn by the browser itself: a live message, or one the list's
 *   window brings back. Until it is here such an image's box is a plain tint.
 */
import { signal } from "@preact/signals";

type Decoder = (hash: string) => string | null;

let decoder: Decoder | null = null;
let loading = false;
/** Bumped when the decoder arrives: images waiting for it draw again. */
const arrived = signal(0);

/** Decoded placeholders kept (a long conversation scrolled through re-renders its images). */
const CACHE_MAX = 256;
const cache = new Map<string, string | null>();

/** Installs the decoder (the server, at start-up; the browser, when its chunk arrives). */
export function setPlaceholderDecoder(decode: Decoder): void {
  decoder = decode;
  arrived.value++;
}

/**
 * The data URL of a thumbhash's picture, or null: not decodable, or the decoder is not here
 * yet. With `load`, a missing decoder is imported, and a component that asked (reading this in
 * its render) draws again when it comes.
 */
export function placeholderUrl(hash: string, load: boolean): string | null {
  void arrived.value; // subscribes the rendering component
  if (!decoder) {
    if (load && !loading) {
      loading = true;
      import("./placeholder_decode.ts").then(
        (loaded) => setPlaceholderDecoder(loaded.decodePlaceholder),
        () => loading = false,
      );
    }
    return null;
  }
  let url = cache.get(hash);
  if (url === undefined) {
    url = decoder(hash);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(hash, url);
  }
  return url;
}
