/**
 * Reads a JSON object body: 415 for another content type, 400 for malformed JSON or a value
 * that is not an object. The body size is already bounded by the limitBody middleware.
 */
import type { Context } from "hono";
import { Invalid, UnsupportedMediaType } from "../lib/errors.ts";

export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("Content-Type");
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaType("application/json", type);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(await c.req.arrayBuffer()));
  } catch {
    throw new Invalid("invalid_json", "The body is not valid UTF-8 JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Invalid("invalid_json", "The body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}
