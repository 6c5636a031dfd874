/**
 * A ZIP archive written as it is read: each entry's text comes from an iterable (sync or async)
 * of pieces, deflated as it arrives, and the next piece is asked for only when the reader wants
 * more bytes. An archive of any size thus takes bounded memory: the pieces of one input block,
 * fflate's deflate window, and whatever one step of the source holds (say, a page of rows).
 *
 * Plain ZIP, no ZIP64 (fflate writes none): an entry, and the whole archive, must stay under
 * 4 GiB. Entries carry a data descriptor, so their sizes need not be known up front.
 *
 * @example Two entries, streamed
 * ```ts
 * const body = ReadableStream.from(zipChunks([
 *   { name: "hello.txt", content: ["hello\n"] },
 *   { name: "rows.jsonl", content: rowsAsLines() },
 * ]));
 * ```
 */
import { Zip, ZipDeflate } from "fflate";

/** One file of the archive and the text it holds, in pieces. */
export interface ZipEntrySource {
  name: string;
  content: AsyncIterable<string> | Iterable<string>;
}

/**
 * Text handed to the deflater at once. Pieces are often one line each; deflating each alone
 * would flush a tiny block per line, so they are gathered to about this many UTF-16 units.
 */
const DEFLATE_INPUT_UNITS = 64 * 1024;
/** zlib's default trade-off; exports are written once and downloaded once. */
const DEFLATE_LEVEL = 6;

/** The archive's bytes, chunk by chunk; the sources are read only as far as the reader reads. */
export async function* zipChunks(
  entries: Iterable<ZipEntrySource>,
  modifiedAt: Date = new Date(),
): AsyncGenerator<Uint8Array> {
  const output: Uint8Array[] = [];
  let failure: Error | null = null;
  // fflate calls back synchronously inside push()/end(); each drain hands on what it produced.
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else output.push(chunk);
  });
  function* drain(): Generator<Uint8Array> {
    if (failure) throw failure;
    yield* output.splice(0);
  }
  let ended = false;
  try {
    for (const entry of entries) {
      const file = new ZipDeflate(entry.name, { level: DEFLATE_LEVEL });
      file.mtime = modifiedAt;
      zip.add(file);
      for await (const block of inputBlocks(entry.content)) {
        file.push(block);
        yield* drain();
      }
      file.push(new Uint8Array(0), true);
      yield* drain();
    }
    zip.end();
    ended = true;
    yield* drain();
  } finally {
    // A reader that stopped early (a cancelled download) leaves the archive unfinished.
    if (!ended) zip.terminate();
  }
}

/** The pieces of `content`, UTF-8 encoded and gathered into blocks of DEFLATE_INPUT_UNITS. */
async function* inputBlocks(
  content: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let units = 0;
  for await (const piece of content) {
    pending.push(piece);
    units += piece.length;
    if (units >= DEFLATE_INPUT_UNITS) {
      yield encoder.encode(pending.join(""));
      pending = [];
      units = 0;
    }
  }
  if (units > 0) yield encoder.encode(pending.join(""));
}
