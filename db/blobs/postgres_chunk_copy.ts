/**
 * The rows of a PostgreSQL blob written with `COPY … FROM STDIN` in PostgreSQL's binary format:
 * each piece goes to the server as its own bytes. An INSERT would send it as a parameter,
 * which postgres.js writes as hex text: a 256 KiB piece became a 512 KiB string and a 512 KiB
 * message, garbage that piled up faster than it was collected with ten uploads at once
 * (bench/attachments.ts), and twice the bytes on the wire.
 *
 * The format (PostgreSQL docs, "COPY", Binary Format): a signature, flags and a header
 * extension length; per row its field count, then each field's length and bytes (uuid: 16
 * bytes, integer: 4, big-endian); -1 as the field count at the end.
 */
import type { Sql } from "postgres";
import type { Writable } from "node:stream";

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
/** The signature, then flags 0 and a header extension of 0 bytes. */
const HEADER = Uint8Array.from([...SIGNATURE, 0, 0, 0, 0, 0, 0, 0, 0]);
const TRAILER = Uint8Array.from([0xff, 0xff]);
/** Field count, uuid (length + 16 bytes), n (length + 4 bytes), then the piece's length. */
const ROW_HEAD_BYTES = 2 + 4 + 16 + 4 + 4 + 4;

/** A uuid's 16 bytes. */
function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`Not a uuid: ${uuid}`);
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** The start of row `n` of `blobId`, up to the piece's own bytes. */
function rowHead(blobId: Uint8Array, n: number, pieceBytes: number): Uint8Array {
  const head = new Uint8Array(ROW_HEAD_BYTES);
  const view = new DataView(head.buffer);
  view.setInt16(0, 3);
  view.setInt32(2, 16);
  head.set(blobId, 6);
  view.setInt32(22, 4);
  view.setInt32(26, n);
  view.setInt32(30, pieceBytes);
  return head;
}

/** Writes rows `blob_chunks (blob_id, 0…, piece)` inside `tx`, one piece at a time. */
export class ChunkCopy {
  #blobId: Uint8Array;
  #n = 0;

  private constructor(private readonly stream: Writable, blobId: string) {
    this.#blobId = uuidBytes(blobId);
  }

  static async open(tx: Sql, blobId: string): Promise<ChunkCopy> {
    const stream = await tx`COPY blob_chunks (blob_id, n, bytes) FROM STDIN WITH (FORMAT binary)`
      .writable();
    // Its errors come back through the writes and `finish` (an 'error' event without a
    // listener would end the process).
    stream.on("error", () => {});
    const copy = new ChunkCopy(stream, blobId);
    await copy.#write(HEADER);
    return copy;
  }

  /** The next row; resolves once handed to the connection (the piece may then be reused). */
  async add(piece: Uint8Array): Promise<void> {
    await this.#write(rowHead(this.#blobId, this.#n++, piece.byteLength));
    await this.#write(piece);
  }

  /** Ends the COPY; resolves once PostgreSQL has taken every row. */
  async finish(): Promise<void> {
    await this.#write(TRAILER);
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => error ? reject(error) : resolve());
    });
  }

  /** Abandons the COPY: PostgreSQL fails it, and the transaction with it. */
  abort(error: unknown): void {
    this.stream.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  #write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (error) => error ? reject(error) : resolve());
    });
  }
}
