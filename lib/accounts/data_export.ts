/**
 * The layout of an account's data export (GET /api/me/export, API.md "Accounts"): a ZIP with
 * - `profile.json`: one JSON document (the profile as `GET /api/me` answers it, and more);
 * - `memberships.json`: a JSON array, one element per server the user belongs to;
 * - `messages.jsonl`: JSON Lines, one message a line, as `GET /api/channels/:id/messages`
 *   shapes it.
 * Rows come from async iterables and are written as they come (zip_stream.ts), so a user
 * with millions of messages is exported in the memory of one page of them.
 */
import { zipChunks } from "./zip_stream.ts";

/** What goes into an export: already in the API's shapes, ready for JSON. */
export interface DataExportParts {
  profile: unknown;
  memberships: AsyncIterable<unknown> | Iterable<unknown>;
  messages: AsyncIterable<unknown> | Iterable<unknown>;
}

/** The names of the archive's files, as API.md lists them. */
export const DATA_EXPORT_FILES = {
  profile: "profile.json",
  memberships: "memberships.json",
  messages: "messages.jsonl",
} as const;

/** The export archive's bytes, chunk by chunk, reading the rows only as fast as it is read. */
export function dataExportChunks(
  parts: DataExportParts,
  exportedAt: Date,
): AsyncGenerator<Uint8Array> {
  return zipChunks([
    { name: DATA_EXPORT_FILES.profile, content: [`${JSON.stringify(parts.profile, null, 2)}\n`] },
    { name: DATA_EXPORT_FILES.memberships, content: jsonArrayPieces(parts.memberships) },
    { name: DATA_EXPORT_FILES.messages, content: jsonLinePieces(parts.messages) },
  ], exportedAt);
}

/** A JSON array written element by element, one a line ("[]" when there are none). */
export async function* jsonArrayPieces(
  rows: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<string> {
  let first = true;
  for await (const row of rows) {
    yield `${first ? "[\n" : ",\n"}${JSON.stringify(row)}`;
    first = false;
  }
  yield first ? "[]\n" : "\n]\n";
}

/** JSON Lines: each row on a line of its own (JSON.stringify never writes a raw newline). */
export async function* jsonLinePieces(
  rows: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<string> {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`;
}
