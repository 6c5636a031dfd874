/**
 * Blobs in any S3-compatible object store (`BLOB_STORE=s3`: AWS S3, MinIO, R2, Ceph…): the
 * store a deployment that outgrows one machine uses, every instance reading the same bucket.
 *
 * Requests are signed with SigV4 by aws4fetch (a few KiB over `fetch`) and addressed path-style
 * (`<endpoint>/<bucket>/<key>`), which every S3-compatible server understands. A body that fits
 * one part (BLOB_S3_PART_BYTES, 5 MiB: S3's smallest multipart part) is one PutObject; a larger
 * one is a multipart upload sent part by part as the body arrives, so at most one part is held
 * in memory; it is completed only once the whole body arrived, and aborted otherwise, so a
 * failed put leaves no object (and no parts billed). Ranged reads ask for a HEAD first and
 * read with If-Match, so a range is resolved against the object it is read from.
 */
import { AwsClient } from "aws4fetch";
import { BLOB_S3_PART_BYTES, BLOB_S3_WRITE_BYTES } from "../../lib/limits.ts";
import {
  type BlobInfo,
  type BlobListing,
  type BlobRange,
  type BlobRead,
  type BlobStore,
  BlobTooLargeError,
  checkBlobKey,
  checkBlobPrefix,
  checkContentType,
  type PutOptions,
  resolveRange,
} from "../blob_store.ts";
import { blobParts, fixedChunks, PiecePool } from "./body_chunks.ts";
import { sendSized } from "./s3_sized_send.ts";

export interface S3Settings {
  /** `http(s)://host[:port]`, without the bucket. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A request that failed at the object store. */
export class S3Error extends Error {
  constructor(what: string, readonly status: number, detail: string) {
    super(`S3 ${what} failed: ${status}${detail ? ` ${detail}` : ""}`);
    this.name = "S3Error";
  }
}

/**
 * Bodies of puts are not hashed into their signature (S3's `UNSIGNED-PAYLOAD`, accepted by AWS
 * and the S3-compatible servers): hashing needs the whole part in one buffer, which is the
 * copy the put avoids (db/blobs/body_chunks.ts blobParts). TLS to the endpoint guards the bytes.
 */
const UNSIGNED = { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };

/** The largest object one PutObject may create (S3's limit: larger ones need parts). */
const S3_PUT_OBJECT_MAX_BYTES = 5 * 1024 ** 3;

/** Tries of one request on a network error, 429 or 5xx (aws4fetch backs off between them). */
const S3_RETRIES = 3;
/** Ranged reads of an object replaced between its HEAD and GET, before giving up. */
const RANGE_READ_ATTEMPTS = 3;

/**
 * Connects to the bucket, failing at start-up with a clear message when it cannot be reached,
 * does not exist or refuses the credentials.
 */
export async function openS3BlobStore(settings: S3Settings): Promise<BlobStore> {
  const store = new S3BlobStore(settings);
  await store.checkBucket();
  return store;
}

/** The object store's own words from an XML error body (`<Code>`), if any. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? "";
}

function xmlValue(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match ? unescapeXml(match[1]) : undefined;
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_, name: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[name]!,
  );
}

class S3BlobStore implements BlobStore {
  readonly kind = "s3";
  private readonly client: AwsClient;
  private readonly base: string;

  constructor(private readonly settings: S3Settings) {
    this.client = new AwsClient({
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      region: settings.region,
      service: "s3",
      retries: S3_RETRIES,
    });
    this.base = `${settings.endpoint.replace(/\/+$/, "")}/${settings.bucket}`;
  }

  async checkBucket(): Promise<void> {
    let response: Response;
    try {
      response = await this.client.fetch(`${this.base}?list-type=2&max-keys=1`);
    } catch (error) {
      throw new Error(
        `S3_ENDPOINT ${this.settings.endpoint} cannot be reached: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      const detail = await errorDetail(response);
      throw new S3Error(
        `access to bucket "${this.settings.bucket}" at ${this.settings.endpoint} (check S3_BUCKET, S3_REGION and the keys)`,
        response.status,
        detail,
      );
    }
    await response.body?.cancel();
  }

  private url(key: string, query = ""): string {
    // Keys are [A-Za-z0-9/_.-]: nothing in them needs escaping in a path.
    return `${this.base}/${key}${query}`;
  }

  /** Sends a request, throws S3Error unless it succeeded, and discards the answer's body. */
  private async call(what: string, url: string, init: RequestInit): Promise<Response> {
    const response = await this.client.fetch(url, init);
    if (!response.ok) throw new S3Error(what, response.status, await errorDetail(response));
    return response;
  }

  async put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): Promise<{ size: number }> {
    checkBlobKey(key);
    checkContentType(options.contentType);
    // A known length up to what one PutObject takes is sent as it arrives; otherwise the body
    // goes part by part, each held until sent (a length past 5 GiB is rare enough for that).
    if (options.length !== undefined && options.length <= S3_PUT_OBJECT_MAX_BYTES) {
      if (options.length > options.maxBytes) {
        await body.cancel().catch(() => {});
        throw new BlobTooLargeError(options.maxBytes);
      }
      return await this.putSized(key, body, options, options.length);
    }
    const parts = blobParts(body, BLOB_S3_PART_BYTES, options.maxBytes);
    try {
      const first = await parts.next();
      const firstPart = first.done ? new Blob([]) : first.value;
      if (firstPart.size < BLOB_S3_PART_BYTES) {
        // Shorter than a part: the body has ended (blobParts fills every part but the last).
        await parts.next();
        const response = await this.call(`PutObject ${key}`, this.url(key), {
          method: "PUT",
          body: firstPart,
          headers: { "content-type": options.contentType, ...UNSIGNED },
        });
        await response.body?.cancel();
        return { size: firstPart.size };
      }
      let part: Blob | undefined = firstPart;
      return await this.putMultipart(key, options.contentType, async (url, number) => {
        if (!part) return null;
        const response = await this.call(`UploadPart ${key} #${number}`, url, {
          method: "PUT",
          body: part,
          headers: UNSIGNED,
        });
        await response.body?.cancel();
        const size = part.size;
        // The part sent is let go before the next one is read: one part held at a time.
        part = undefined;
        const next = await parts.next();
        part = next.done ? undefined : next.value;
        return { etag: response.headers.get("etag") ?? "", size };
      });
    } finally {
      await parts.return(undefined);
    }
  }

  /**
   * A put of a body whose length is known: one PutObject that sends the bytes as they arrive
   * (s3_sized_send.ts), so nothing of the file is held but the pieces in flight.
   */
  private async putSized(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
    length: number,
  ): Promise<{ size: number }> {
    const pool = new PiecePool(BLOB_S3_WRITE_BYTES);
    const pieces = fixedChunks(body, BLOB_S3_WRITE_BYTES, options.maxBytes, pool);
    try {
      const answer = await sendSized(
        this.client,
        this.url(key),
        { "content-type": options.contentType, ...UNSIGNED },
        length,
        { pieces, pool },
      );
      if (answer.status < 200 || answer.status >= 300) {
        throw new S3Error(`PutObject ${key}`, answer.status, xmlValue(answer.text, "Code") ?? "");
      }
      return { size: length };
    } catch (error) {
      // S3 drops a request cut short of its Content-Length, but S3-compatible servers may keep
      // what came (s3rver does): the key is new (PutOptions.length), so it is removed.
      const removed = await this.client.fetch(this.url(key), { method: "DELETE" })
        .catch(() => null);
      await removed?.body?.cancel();
      throw error;
    } finally {
      await pieces.return(undefined);
    }
  }

  /**
   * A multipart upload of the parts `sendPart` sends (to the URL it is given, as part
   * `number`; null when there are no more), completed once all are in, aborted otherwise.
   */
  private async putMultipart(
    key: string,
    contentType: string,
    sendPart: (url: string, number: number) => Promise<{ etag: string; size: number } | null>,
  ): Promise<{ size: number }> {
    const created = await this.call(`CreateMultipartUpload ${key}`, this.url(key, "?uploads"), {
      method: "POST",
      headers: { "content-type": contentType },
    });
    const uploadId = xmlValue(await created.text(), "UploadId");
    if (!uploadId) throw new S3Error(`CreateMultipartUpload ${key}`, created.status, "no UploadId");
    const query = (extra: string) => `?${extra}uploadId=${encodeURIComponent(uploadId)}`;
    try {
      const etags: string[] = [];
      let size = 0;
      for (;;) {
        const number = etags.length + 1;
        const part = await sendPart(this.url(key, query(`partNumber=${number}&`)), number);
        if (!part) break;
        etags.push(part.etag);
        size += part.size;
      }
      const list = etags.map((etag, i) =>
        `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`
      ).join("");
      const completed = await this.call(
        `CompleteMultipartUpload ${key}`,
        this.url(key, query("")),
        {
          method: "POST",
          body: `<CompleteMultipartUpload>${list}</CompleteMultipartUpload>`,
          headers: { "content-type": "application/xml" },
        },
      );
      // S3 may answer 200 and report the failure in the body.
      const text = await completed.text();
      if (text.includes("<Error>")) {
        throw new S3Error(`CompleteMultipartUpload ${key}`, 200, xmlValue(text, "Code") ?? "");
      }
      return { size };
    } catch (error) {
      const aborted = await this.client.fetch(this.url(key, query("")), { method: "DELETE" })
        .catch(() => null);
      await aborted?.body?.cancel();
      throw error;
    }
  }

  async get(key: string, range?: BlobRange, attempt = 1): Promise<BlobRead | null> {
    checkBlobKey(key);
    if (range === undefined) {
      const response = await this.client.fetch(this.url(key));
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        throw new S3Error(`GetObject ${key}`, response.status, await errorDetail(response));
      }
      return {
        body: response.body ?? emptyStream(),
        size: Number(response.headers.get("content-length") ?? 0),
        contentType: response.headers.get("content-type") ?? "application/octet-stream",
        range: null,
      };
    }
    const head = await this.head(key);
    if (!head) return null;
    const resolved = resolveRange(range, head.size);
    const response = await this.client.fetch(this.url(key), {
      headers: { range: `bytes=${resolved.start}-${resolved.end}`, "if-match": head.etag },
    });
    // Replaced or deleted between the two requests: read it again as it is now.
    if ((response.status === 412 || response.status === 404) && attempt < RANGE_READ_ATTEMPTS) {
      await response.body?.cancel();
      return await this.get(key, range, attempt + 1);
    }
    if (response.status !== 206) {
      throw new S3Error(`GetObject ${key} (range)`, response.status, await errorDetail(response));
    }
    return {
      body: trimToRange(response, resolved),
      size: head.size,
      contentType: head.contentType,
      range: resolved,
    };
  }

  async stat(key: string): Promise<BlobInfo | null> {
    checkBlobKey(key);
    const head = await this.head(key);
    return head && { size: head.size, contentType: head.contentType };
  }

  private async head(key: string): Promise<(BlobInfo & { etag: string }) | null> {
    const response = await this.client.fetch(this.url(key), { method: "HEAD" });
    await response.body?.cancel();
    if (response.status === 404) return null;
    if (!response.ok) throw new S3Error(`HeadObject ${key}`, response.status, "");
    return {
      size: Number(response.headers.get("content-length") ?? 0),
      contentType: response.headers.get("content-type") ?? "application/octet-stream",
      etag: response.headers.get("etag") ?? "*",
    };
  }

  async delete(key: string): Promise<boolean> {
    checkBlobKey(key);
    // DeleteObject answers 204 whether or not the object existed.
    if (!(await this.head(key))) return false;
    const response = await this.call(`DeleteObject ${key}`, this.url(key), { method: "DELETE" });
    await response.body?.cancel();
    return true;
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    checkBlobPrefix(prefix);
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ "list-type": "2", prefix });
      if (token) query.set("continuation-token", token);
      const response = await this.call(`ListObjectsV2 ${prefix}`, `${this.base}?${query}`, {});
      const xml = await response.text();
      for (const [, entry] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        yield {
          key: xmlValue(entry, "Key") ?? "",
          size: Number(xmlValue(entry, "Size") ?? 0),
          storedAt: Date.parse(xmlValue(entry, "LastModified") ?? "") || 0,
        };
      }
      token = xmlValue(xml, "IsTruncated") === "true"
        ? xmlValue(xml, "NextContinuationToken")
        : undefined;
    } while (token);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The bytes of `range` from a 206 answer. Some S3-compatible servers answer more than was asked
 * (s3rver sends the whole object for `bytes=0-0`); what their Content-Range says was sent is cut
 * down to the range, and an answer that does not cover it is an error.
 */
function trimToRange(
  response: Response,
  range: { start: number; end: number },
): ReadableStream<Uint8Array> {
  const body = response.body ?? emptyStream();
  const sent = /^bytes (\d+)-(\d+)\//.exec(response.headers.get("content-range") ?? "");
  const from = sent ? Number(sent[1]) : range.start;
  const to = sent ? Number(sent[2]) : range.end;
  if (from === range.start && to === range.end) return body;
  if (from > range.start || to < range.end) {
    body.cancel().catch(() => {});
    throw new S3Error(
      "GetObject (range)",
      206,
      `sent bytes ${from}-${to} for ${range.start}-${range.end}`,
    );
  }
  let skip = range.start - from;
  let left = range.end - range.start + 1;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const piece = chunk.subarray(Math.min(skip, chunk.byteLength));
        skip -= chunk.byteLength - piece.byteLength;
        const kept = piece.subarray(0, Math.min(left, piece.byteLength));
        left -= kept.byteLength;
        if (kept.byteLength > 0) controller.enqueue(kept);
        if (left === 0) controller.terminate();
      },
    }),
  );
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}
