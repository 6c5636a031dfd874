/**
 * Blobs as files below one folder (`FILES_PATH`, default ./data/files): the default beside a
 * local Deno KV file.
 *
 * The key `a/b/c` is the file `<root>/a/b/c~blob`: "~" is never in a key, so a file never takes
 * the name a folder of another key needs (`a/b` beside `a/b/c`), nor a temporary file's. Each
 * file starts with a small header holding the content type, so type and bytes change together.
 * A put writes a temporary file in the same folder, syncs it and renames it over the old one:
 * a reader sees the old file or the new one, never half of one (a reader that opened the old
 * file keeps reading it to the end).
 */
import {
  BLOB_CHUNK_BYTES,
  BLOB_CONTENT_TYPE_MAX_LENGTH,
  BLOB_FS_WRITE_BYTES,
} from "../../lib/limits.ts";
import {
  type BlobInfo,
  type BlobListing,
  type BlobRange,
  type BlobRead,
  type BlobStore,
  checkBlobKey,
  checkBlobPrefix,
  checkContentType,
  type PutOptions,
  resolveRange,
} from "../blob_store.ts";
import { fixedChunks, PiecePool, streamOf, writeBehind } from "./body_chunks.ts";

const FILE_SUFFIX = "~blob";
const TEMP_MARK = "~tmp-";
/** "SLB1", then the content type's length (2 bytes, big-endian), then the content type. */
const MAGIC = new TextEncoder().encode("SLB1");
const HEADER_FIXED = MAGIC.length + 2;

/** Opens (creating it if needed) the folder `root` as a blob store. */
export async function openFsBlobStore(root: string): Promise<BlobStore> {
  await Deno.mkdir(root, { recursive: true });
  return new FsBlobStore(root.replace(/\/+$/, "") || "/");
}

/** A blob file opened for reading, past its header. */
interface OpenedBlob extends BlobInfo {
  file: Deno.FsFile;
  headerBytes: number;
  storedAt: number;
}

class FsBlobStore implements BlobStore {
  readonly kind = "fs";

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    return `${this.root}/${key}${FILE_SUFFIX}`;
  }

  async put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): Promise<{ size: number }> {
    checkBlobKey(key);
    checkContentType(options.contentType);
    const path = this.pathOf(key);
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    const temp = `${this.root}/${key}${TEMP_MARK}${crypto.randomUUID()}`;
    const file = await Deno.open(temp, { write: true, createNew: true });
    try {
      await writeAll(file, header(options.contentType));
      // The next piece is received while this one is written (db/blobs/body_chunks.ts).
      const pool = new PiecePool(BLOB_FS_WRITE_BYTES);
      const size = await writeBehind(
        fixedChunks(body, BLOB_FS_WRITE_BYTES, options.maxBytes, pool),
        async (chunk) => {
          await writeAll(file, chunk);
          pool.give(chunk);
        },
      );
      // Without the sync a crash soon after the rename could leave an empty or short file.
      await file.syncData();
      file.close();
      await Deno.rename(temp, path);
      return { size };
    } catch (error) {
      try {
        file.close();
      } catch { /* already closed before the rename failed */ }
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }

  async get(key: string, range?: BlobRange): Promise<BlobRead | null> {
    checkBlobKey(key);
    const opened = await this.open(key);
    if (!opened) return null;
    const { file, headerBytes, size, contentType } = opened;
    try {
      const resolved = range === undefined ? null : resolveRange(range, size);
      const start = resolved?.start ?? 0;
      const length = resolved ? resolved.end - start + 1 : size;
      await file.seek(headerBytes + start, Deno.SeekMode.Start);
      // The whole file: the file's own stream, which Deno.serve sends from the file without
      // passing its bytes through JavaScript (and which closes the file at its end). A range
      // stops before the end: read piece by piece.
      const body = resolved === null
        ? file.readable
        : streamOf(readPieces(file, length), () => file.close());
      return { body, size, contentType, range: resolved };
    } catch (error) {
      file.close();
      throw error;
    }
  }

  async stat(key: string): Promise<BlobInfo | null> {
    checkBlobKey(key);
    const opened = await this.open(key);
    if (!opened) return null;
    opened.file.close();
    return { size: opened.size, contentType: opened.contentType };
  }

  async delete(key: string): Promise<boolean> {
    checkBlobKey(key);
    try {
      await Deno.remove(this.pathOf(key));
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    checkBlobPrefix(prefix);
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    for await (const key of this.walk(folder)) {
      if (!key.startsWith(prefix)) continue;
      const opened = await this.open(key);
      if (!opened) continue; // deleted while we walked
      opened.file.close();
      yield { key, size: opened.size, storedAt: opened.storedAt };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The keys below `folder` in key order: a folder `x` holds keys starting "x/" and a file
   * `x~blob` is the key "x", so siblings sort by those strings.
   */
  private async *walk(folder: string): AsyncGenerator<string> {
    const base = folder === "" ? "" : `${folder}/`;
    const entries: { sortKey: string; name: string; isFolder: boolean }[] = [];
    try {
      for await (const entry of Deno.readDir(`${this.root}/${folder}`)) {
        if (entry.isDirectory) {
          entries.push({ sortKey: `${entry.name}/`, name: entry.name, isFolder: true });
        } else if (entry.isFile && entry.name.endsWith(FILE_SUFFIX)) {
          const name = entry.name.slice(0, -FILE_SUFFIX.length);
          entries.push({ sortKey: name, name, isFolder: false });
        }
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const entry of entries) {
      if (entry.isFolder) yield* this.walk(`${base}${entry.name}`);
      else yield `${base}${entry.name}`;
    }
  }

  /** The blob's file, opened and past its header; null if there is none. */
  private async open(key: string): Promise<OpenedBlob | null> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.pathOf(key), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    try {
      const fixed = await readExactly(file, HEADER_FIXED);
      if (!MAGIC.every((byte, i) => fixed[i] === byte)) {
        throw new Error(`Blob file ${this.pathOf(key)} has no Salon header`);
      }
      const typeLength = (fixed[4] << 8) | fixed[5];
      if (typeLength > BLOB_CONTENT_TYPE_MAX_LENGTH) {
        throw new Error(`Blob file ${this.pathOf(key)} has a damaged header`);
      }
      const contentType = new TextDecoder().decode(await readExactly(file, typeLength));
      const info = await file.stat();
      const headerBytes = HEADER_FIXED + typeLength;
      return {
        file,
        headerBytes,
        size: info.size - headerBytes,
        contentType,
        storedAt: info.mtime?.getTime() ?? 0,
      };
    } catch (error) {
      file.close();
      throw error;
    }
  }
}

function header(contentType: string): Uint8Array {
  const type = new TextEncoder().encode(contentType);
  const bytes = new Uint8Array(HEADER_FIXED + type.length);
  bytes.set(MAGIC);
  bytes[4] = type.length >> 8;
  bytes[5] = type.length & 0xff;
  bytes.set(type, HEADER_FIXED);
  return bytes;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) written += await file.write(bytes.subarray(written));
}

async function readExactly(file: Deno.FsFile, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const read = await file.read(bytes.subarray(filled));
    if (read === null) throw new Error("A blob file ended inside its header");
    filled += read;
  }
  return bytes;
}

/** `length` bytes from the file's position, BLOB_CHUNK_BYTES at a time. */
async function* readPieces(file: Deno.FsFile, length: number): AsyncGenerator<Uint8Array> {
  let left = length;
  while (left > 0) {
    const piece = new Uint8Array(Math.min(BLOB_CHUNK_BYTES, left));
    const read = await file.read(piece);
    if (read === null) throw new Error("A blob file ended before its size");
    left -= read;
    yield read === piece.length ? piece : piece.subarray(0, read);
  }
}
