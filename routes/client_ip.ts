/** The caller's IP address, for per-IP rate limits. */
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // app.request() in tests has no connection.
    return "unknown";
  }
}
