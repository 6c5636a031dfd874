/**
 * Where to go after login or registration (`?next=`): a path of this site only.
 *
 * `next` is resolved against a placeholder origin and must stay on it, so every spelling a
 * browser would read as another host (`//evil`, `/\evil`, `/%09/evil` — Chromium drops tabs
 * and newlines from URLs, turning `/\t/host` into `//host`) falls back. Control characters are
 * refused outright: in a `Location` header they would end the header (a CRLF made a 500).
 */

/** Never served: only the origin comparison matters. */
const PLACEHOLDER = "http://next.invalid";
// deno-lint-ignore no-control-regex -- control characters are exactly what this refuses
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/;

/**
 * `next` as a same-origin path (with its query and fragment), or `fallback`.
 *
 * @example
 * ```ts
 * safeNext("/invite/abc"); // "/invite/abc"
 * safeNext("//evil.example/x"); // "/chat"
 * ```
 */
export function safeNext(next: string | undefined, fallback = "/chat"): string {
  if (!next || !next.startsWith("/") || CONTROL_OR_BACKSLASH.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER);
  } catch {
    return fallback;
  }
  const path = url.pathname + url.search + url.hash;
  // Dot segments can normalise `/.//host` into `//host`, which a browser reads as a host.
  if (url.origin !== PLACEHOLDER || path.startsWith("//")) return fallback;
  return path;
}
