/**
 * One S3 request whose body is an upload of `length` bytes, sent as they are read, with its
 * Content-Length: the way an upload of known length (a browser's file) reaches S3 without a
 * part being held in memory first.
 *
 * `fetch` cannot do this: Deno sends a stream body chunked (it drops a Content-Length given with
 * it), and S3's PutObject and UploadPart need a length. `node:http` sends a body written piece by
 * piece under the length it is given. The request is signed by aws4fetch (UNSIGNED-PAYLOAD, as
 * every put here) and its signed headers are sent as they are.
 *
 * Such a request cannot be retried (its bytes are read once): a 5xx fails the put.
 */
import http from "node:http";
import https from "node:https";
import type { AwsClient } from "aws4fetch";
import type { PiecePool } from "./body_chunks.ts";

/** What came back: the status, the ETag and the body (read whole: S3 answers are small). */
export interface SizedAnswer {
  status: number;
  etag: string;
  text: string;
}

/** The pieces of an upload (db/blobs/body_chunks.ts fixedChunks), given back to `pool` once sent. */
export interface PieceSource {
  pieces: AsyncIterator<Uint8Array<ArrayBuffer>>;
  pool: PiecePool;
}

export async function sendSized(
  client: AwsClient,
  url: string,
  headers: Record<string, string>,
  length: number,
  source: PieceSource,
): Promise<SizedAnswer> {
  const signed = await client.sign(url, {
    method: "PUT",
    headers: { ...headers, "content-length": String(length) },
  });
  const sent = Object.fromEntries(signed.headers.entries());
  sent["content-length"] = String(length);
  const request = (url.startsWith("https:") ? https : http).request(url, {
    method: "PUT",
    headers: sent,
  });
  let early: http.IncomingMessage | null = null;
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once("response", (response) => resolve(early = response));
    // `on`, not `once`: a destroyed request may report more than one error, and an error
    // event nobody listens to ends the process.
    request.on("error", reject);
  });
  // Until the answer: a request error (a refused connection) also rejects `answered`.
  answered.catch(() => {});
  try {
    await writeBody(request, length, source, answered);
  } catch (error) {
    // S3 may answer before it has read the body (a refusal): that answer is the outcome.
    const refused = early !== null && ((early as http.IncomingMessage).statusCode ?? 0) >= 300;
    if (!refused) {
      request.destroy(error as Error);
      throw error;
    }
  }
  const response = await answered;
  let text = "";
  for await (const piece of response) text += piece;
  if (early && !request.writableFinished) request.destroy();
  return { status: response.statusCode ?? 0, etag: String(response.headers.etag ?? ""), text };
}

/** Writes exactly `length` bytes of the source's pieces, the source's last, then ends. */
async function writeBody(
  request: http.ClientRequest,
  length: number,
  { pieces, pool }: PieceSource,
  answered: Promise<unknown>,
): Promise<void> {
  // A request that fails (or is answered early, refused) never drains: stop waiting then.
  const over = answered.then(
    () => Promise.reject(new Error("S3 answered before the body was sent")),
    (error) => Promise.reject(error),
  );
  over.catch(() => {});
  let written = 0;
  while (written < length) {
    const { done, value } = await pieces.next();
    if (done) throw new Error(`The upload ended ${length - written} bytes short of its length`);
    if (written + value.byteLength > length) {
      throw new Error("The upload is longer than its length");
    }
    written += value.byteLength;
    // Given back once on the wire (node:http keeps the piece until then).
    const more = request.write(value, () => pool.give(value));
    if (!more) await Promise.race([new Promise((r) => request.once("drain", r)), over]);
  }
  // Checked before the request ends: a longer body is refused, and no object made of its
  // first `length` bytes.
  if (!(await pieces.next()).done) throw new Error("The upload is longer than its length");
  await new Promise<void>((resolve) => request.end(resolve));
}
