/**
 * Attachments end to end (API.md "Attachments") on both stores, over HTTP and the WebSocket,
 * with the file-system blob store in a temporary folder: uploads typed from their bytes, images
 * re-encoded without metadata, safe serving headers, ranges, access, signed URLs, sends that
 * name uploads, removal with the message, the orphan sweep and the quota.
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import { BACKENDS, needs } from "./helpers/backends.ts";
import { startTestApp } from "./helpers/test_app.ts";
import type { TestApp } from "./helpers/test_app.ts";
import { register, room } from "./helpers/people.ts";
import type { Person } from "./helpers/people.ts";
import { createUrlSigner } from "../lib/attachments/signed_urls.ts";
import { openFsBlobStore } from "../db/blobs/fs_blob_store.ts";
import { ATTACHMENT_ORPHAN_AGE_MS } from "../lib/limits.ts";
import type { WireAttachment, WireMessage } from "../lib/realtime/protocol.ts";

const SECRET = "attachments-test-secret-0123456789abcdef";

interface Ctx {
  app: TestApp;
  files: string;
}

/** One test per store, each on a new app with its own files folder. */
function attachTest(
  name: string,
  fn: (ctx: Ctx) => Promise<void>,
  env: Record<string, string> = {},
) {
  for (const backend of BACKENDS) {
    Deno.test(`attachments - ${name} (${backend.name})`, needs(backend), async () => {
      const dir = await Deno.makeTempDir({ prefix: "salon-attach-" });
      const files = `${dir}/files`;
      const app = await startTestApp(backend, {
        BLOB_STORE: "fs",
        FILES_PATH: files,
        JWT_SECRET: SECRET,
        ...env,
      });
      try {
        await fn({ app, files });
      } finally {
        await app.close();
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}

async function upload(
  person: Person,
  channelId: string,
  bytes: Uint8Array | ReadableStream<Uint8Array>,
  filename = "file.bin",
  contentType = "application/octet-stream",
) {
  return await person.http.json<{ attachment: WireAttachment; error?: { code: string } }>(
    "POST",
    `/api/channels/${channelId}/attachments?filename=${encodeURIComponent(filename)}`,
    { body: bytes as BodyInit, headers: { "Content-Type": contentType } },
  );
}

async function uploaded(person: Person, channelId: string, bytes: Uint8Array, filename?: string) {
  const { status, body } = await upload(person, channelId, bytes, filename);
  assert.equal(status, 201, JSON.stringify(body));
  return body.attachment;
}

async function fetchFile(person: Person | null, url: string, headers: Record<string, string> = {}) {
  const response = person
    ? await person.http.request("GET", url, { headers })
    : await fetch(person === null ? url : url, { headers });
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Every file under a folder (the blobs). */
async function filesIn(folder: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) found.push(...await filesIn(path));
      else found.push(path);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const png = (width = 32, height = 16) =>
  sharp({ create: { width, height, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 1 } } })
    .png().toBuffer().then((b) => new Uint8Array(b));

async function send(person: Person, channelId: string, body: Record<string, unknown>) {
  return await person.http.json<{ message: WireMessage; error?: { code: string } }>(
    "POST",
    `/api/channels/${channelId}/messages`,
    { json: body },
  );
}

attachTest(
  "a PNG: 201 with its size and thumbnail, served inline with safe headers",
  async ({ app }) => {
    const { channelId, owner, member } = await room(app);
    const attachment = await uploaded(owner, channelId, await png(), "pic.png");
    assert.equal(attachment.contentType, "image/png");
    assert.equal(attachment.width, 32);
    assert.equal(attachment.height, 16);
    assert.equal(attachment.filename, "pic.png");
    assert.ok(attachment.placeholder && atob(attachment.placeholder).length > 5);
    assert.ok(attachment.thumbnailUrl);
    // The uploader reads it before sending; another member only once a message names it.
    const own = await fetchFile(owner, attachment.url);
    assert.equal(own.response.status, 200);
    assert.equal(own.response.headers.get("Content-Type"), "image/png");
    assert.match(own.response.headers.get("Content-Disposition")!, /^inline/);
    assert.equal(own.response.headers.get("X-Content-Type-Options"), "nosniff");
    assert.match(own.response.headers.get("Content-Security-Policy")!, /sandbox/);
    assert.match(own.response.headers.get("Content-Security-Policy")!, /default-src 'none'/);
    assert.equal(own.response.headers.get("Cache-Control"), "private, max-age=31536000, immutable");
    assert.equal(own.bytes.length, attachment.size);
    assert.equal((await fetchFile(member, attachment.url)).response.status, 404);
    const thumb = await fetchFile(owner, attachment.thumbnailUrl!);
    assert.equal(thumb.response.headers.get("Content-Type"), "image/webp");
    assert.equal((await sharp(thumb.bytes).metadata()).format, "webp");
  },
);

attachTest("a JPEG loses its EXIF and GPS, turned by its orientation", async ({ app }) => {
  const { channelId, owner } = await room(app);
  const original = new Uint8Array(
    await sharp({ create: { width: 40, height: 20, channels: 3, background: "#336699" } })
      .jpeg().withMetadata({ orientation: 6 })
      .withExif({ IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 29/1" } }).toBuffer(),
  );
  assert.ok((await sharp(original).metadata()).exif, "the test image has EXIF");
  const attachment = await uploaded(owner, channelId, original, "photo.jpg");
  assert.equal(attachment.width, 20);
  assert.equal(attachment.height, 40);
  const { bytes } = await fetchFile(owner, attachment.url);
  const served = await sharp(bytes).metadata();
  assert.equal(served.exif, undefined);
  assert.equal(served.orientation, undefined);
  assert.equal(served.width, 20);
  assert.equal(served.height, 40);
  assert.equal(attachment.size, bytes.length);
});

attachTest("an animated GIF keeps its frames", async ({ app }) => {
  const { channelId, owner } = await room(app);
  const frames = await Promise.all(
    [0, 128, 255].map((r) =>
      sharp({
        create: { width: 20, height: 10, channels: 4, background: { r, g: 0, b: 0, alpha: 1 } },
      })
        .png().toBuffer()
    ),
  );
  const gif = new Uint8Array(await sharp(frames, { join: { animated: true } }).gif().toBuffer());
  const attachment = await uploaded(owner, channelId, gif, "anim.gif");
  assert.equal(attachment.contentType, "image/gif");
  assert.equal(attachment.width, 20);
  assert.equal(attachment.height, 10);
  const { bytes } = await fetchFile(owner, attachment.url);
  assert.equal((await sharp(bytes, { animated: true }).metadata()).pages, 3);
});

attachTest(
  "above ATTACHMENT_MAX_BYTES: 413, cut while streaming, nothing stored",
  async ({ app, files }) => {
    const { channelId, owner } = await room(app);
    const max = 25 * 1024 * 1024;
    assert.equal(app.config.attachmentMaxBytes, max);
    // Streamed without a length: the server cannot know the size before the bytes pass the cap.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > max) return controller.close();
        const chunk = new Uint8Array(Math.min(1024 * 1024, max + 1 - sent));
        sent += chunk.length;
        if (chunk.length === 0) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const { status, body: answer } = await upload(owner, channelId, body);
    assert.equal(status, 413);
    assert.equal(answer.error?.code, "payload_too_large");
    assert.deepEqual(await filesIn(files), []);
    assert.equal(await app.testStore.store.uploadedBytesOf(owner.id), 0);
    // With a Content-Length over the cap: refused before reading.
    const declared = await upload(owner, channelId, new Uint8Array(max + 1));
    assert.equal(declared.status, 413);
    assert.deepEqual(await filesIn(files), []);
  },
);

attachTest(
  "HTML named .png, SVG with script, a GIF+HTML polyglot: never inline HTML",
  async ({ app }) => {
    const { channelId, owner } = await room(app);
    const enc = new TextEncoder();
    const html = await uploaded(
      owner,
      channelId,
      enc.encode("<!doctype html><script>alert(1)</script>"),
      "x.png",
    );
    assert.equal(html.contentType, "text/html");
    assert.equal(html.width, null);
    assert.equal(html.thumbnailUrl, null);
    const svg = await uploaded(
      owner,
      channelId,
      enc.encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      "x.svg",
    );
    assert.equal(svg.contentType, "image/svg+xml");
    for (const attachment of [html, svg]) {
      const { response } = await fetchFile(owner, attachment.url);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("Content-Type"), "text/plain; charset=utf-8");
      assert.match(response.headers.get("Content-Disposition")!, /^attachment/);
      assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff");
      assert.match(response.headers.get("Content-Security-Policy")!, /sandbox/);
    }
    // A GIF header followed by HTML: read as a GIF, which it is not: refused.
    const polyglot = enc.encode("GIF89a<html><script>alert(1)</script></html>");
    const { status, body } = await upload(owner, channelId, polyglot, "poly.html");
    assert.equal(status, 400);
    assert.equal(body.error?.code, "invalid_image");
  },
);

/** A PNG header saying 30000 × 30000, and a few bytes of data: a decompression bomb. */
function bombPng(): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, 30000);
  v.setUint32(4, 30000);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const idat = new Uint8Array([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

attachTest("a decompression bomb is refused with 400", async ({ app, files }) => {
  const { channelId, owner } = await room(app);
  const { status, body } = await upload(owner, channelId, bombPng(), "bomb.png");
  assert.equal(status, 400);
  assert.equal(body.error?.code, "image_too_large");
  assert.deepEqual(await filesIn(files), []);
});

attachTest("ranges: 206 with Content-Range, 416 past the end", async ({ app }) => {
  const { channelId, owner } = await room(app);
  const bytes = crypto.getRandomValues(new Uint8Array(5000));
  const attachment = await uploaded(owner, channelId, bytes, "data.bin");
  assert.equal(attachment.contentType, "application/octet-stream");
  const part = await fetchFile(owner, attachment.url, { Range: "bytes=100-199" });
  assert.equal(part.response.status, 206);
  assert.equal(part.response.headers.get("Content-Range"), "bytes 100-199/5000");
  assert.deepEqual(part.bytes, bytes.subarray(100, 200));
  const tail = await fetchFile(owner, attachment.url, { Range: "bytes=-10" });
  assert.deepEqual(tail.bytes, bytes.subarray(4990));
  const past = await fetchFile(owner, attachment.url, { Range: "bytes=6000-" });
  assert.equal(past.response.status, 416);
  assert.equal(past.response.headers.get("Content-Range"), "bytes */5000");
  const whole = await fetchFile(owner, attachment.url);
  assert.match(whole.response.headers.get("Content-Disposition")!, /^attachment/);
  assert.deepEqual(whole.bytes, bytes);
});

attachTest(
  "send over HTTP and WS; members read, outsiders and anonymous do not",
  async ({ app }) => {
    const { channelId, owner, member, outsider } = await room(app);
    const text = await uploaded(owner, channelId, new TextEncoder().encode("hello file"), "a.txt");
    const watching = await member.connect();
    const sent = await send(owner, channelId, { content: "", nonce: "n1", attachments: [text.id] });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.equal(sent.body.message.content, "");
    assert.deepEqual(sent.body.message.attachments, [text]);
    const event = await watching.next("message");
    assert.deepEqual((event as { message: WireMessage }).message.attachments, [text]);
    // In history too.
    const history = await member.http.json<{ messages: WireMessage[] }>(
      "GET",
      `/api/channels/${channelId}/messages`,
    );
    assert.deepEqual(history.body.messages.at(-1)!.attachments, [text]);
    const read = await fetchFile(member, text.url);
    assert.equal(read.response.status, 200);
    assert.equal(new TextDecoder().decode(read.bytes), "hello file");
    assert.equal(read.response.headers.get("Content-Type"), "text/plain; charset=utf-8");
    assert.equal((await fetchFile(outsider, text.url)).response.status, 404);
    assert.equal((await fetch(app.url + text.url)).status, 401);
    // A bearer token works like the cookie.
    const bearer = await fetch(app.url + text.url, {
      headers: { Authorization: `Bearer ${member.token}` },
    });
    assert.equal(bearer.status, 200);
    await bearer.body?.cancel();

    // Over the socket, with text.
    const image = await uploaded(member, channelId, await png(), "p.png");
    watching.send({
      type: "send",
      channelId,
      content: "look",
      nonce: "ws1",
      attachments: [image.id],
    });
    const ack = await watching.next("ack") as unknown as { message: WireMessage };
    assert.deepEqual(ack.message.attachments, [image]);
    watching.close();
  },
);

attachTest(
  "invalid_attachment: another's upload, another channel, already sent, more than 10",
  async ({ app }) => {
    const { serverId, channelId, owner, member } = await room(app);
    const other = await owner.http.json<{ channel: { id: string } }>(
      "POST",
      `/api/servers/${serverId}/channels`,
      { json: { name: "other" } },
    );
    assert.equal(other.status, 201, JSON.stringify(other.body));
    const bytes = new TextEncoder().encode("x");
    const mine = await uploaded(owner, channelId, bytes);
    const theirs = await uploaded(member, channelId, bytes);
    const elsewhere = await uploaded(owner, other.body.channel.id, bytes);
    const code = async (body: Record<string, unknown>) => {
      const { status, body: answer } = await send(owner, channelId, body);
      return `${status} ${answer.error?.code}`;
    };
    assert.equal(
      await code({ content: "a", nonce: "1", attachments: [theirs.id] }),
      "400 invalid_attachment",
    );
    assert.equal(
      await code({ content: "a", nonce: "2", attachments: [elsewhere.id] }),
      "400 invalid_attachment",
    );
    assert.equal(
      await code({ content: "a", nonce: "3", attachments: ["nope"] }),
      "400 invalid_attachment",
    );
    const eleven = Array.from({ length: 11 }, () => mine.id);
    assert.equal(
      await code({ content: "a", nonce: "4", attachments: eleven }),
      "400 invalid_attachment",
    );
    const first = await send(owner, channelId, {
      content: "a",
      nonce: "5",
      attachments: [mine.id],
    });
    assert.equal(first.status, 201);
    // The same nonce again: the first message, not a second claim.
    const again = await send(owner, channelId, {
      content: "a",
      nonce: "5",
      attachments: [mine.id],
    });
    assert.equal(again.body.message.id, first.body.message.id, JSON.stringify(again.body));
    assert.equal(
      await code({ content: "a", nonce: "6", attachments: [mine.id] }),
      "400 invalid_attachment",
    );
    // Nothing half-stored: the refused sends left no message.
    const history = await owner.http.json<{ messages: WireMessage[] }>(
      "GET",
      `/api/channels/${channelId}/messages`,
    );
    assert.equal(history.body.messages.length, 1);
  },
);

attachTest("deleting the message, or the channel, removes the files", async ({ app, files }) => {
  const { serverId, channelId, owner } = await room(app);
  const image = await uploaded(owner, channelId, await png(), "p.png");
  assert.equal((await filesIn(files)).length, 2);
  const { body } = await send(owner, channelId, {
    content: "x",
    nonce: "d1",
    attachments: [image.id],
  });
  const deleted = await owner.http.request("DELETE", `/api/messages/${body.message.id}`);
  assert.equal(deleted.status, 204);
  await until(async () => (await filesIn(files)).length === 0, "the files to go");
  assert.equal((await fetchFile(owner, image.url)).response.status, 404);
  assert.equal(await app.testStore.store.uploadedBytesOf(owner.id), 0);

  const second = await owner.http.json<{ channel: { id: string } }>(
    "POST",
    `/api/servers/${serverId}/channels`,
    { json: { name: "doomed" } },
  );
  const doomed = second.body.channel.id;
  const file = await uploaded(owner, doomed, new Uint8Array([1, 2, 3]));
  await send(owner, doomed, { content: "y", nonce: "d2", attachments: [file.id] });
  assert.equal((await filesIn(files)).length, 1);
  const gone = await owner.http.request("DELETE", `/api/channels/${doomed}`);
  assert.equal(gone.status, 204);
  await until(async () => (await filesIn(files)).length === 0, "the channel's files to go");
});

attachTest(
  "the orphan sweep removes uploads unsent after 24 h, not sent ones",
  async ({ app, files }) => {
    const { channelId, owner } = await room(app);
    const unsent = await uploaded(owner, channelId, new Uint8Array([1]));
    const sent = await uploaded(owner, channelId, new Uint8Array([2]));
    await send(owner, channelId, { content: "k", nonce: "s1", attachments: [sent.id] });
    const sweeper = app.chat.orphanSweeper!;
    // Not yet a day old: kept.
    assert.equal((await sweeper.sweep(Date.now() + ATTACHMENT_ORPHAN_AGE_MS - 60_000)).uploads, 0);
    const later = await sweeper.sweep(Date.now() + ATTACHMENT_ORPHAN_AGE_MS + 60_000);
    assert.equal(later.uploads, 1);
    assert.equal((await fetchFile(owner, unsent.url)).response.status, 404);
    assert.equal((await fetchFile(owner, sent.url)).response.status, 200);
    assert.equal((await filesIn(files)).length, 1);
    // A blob no record names (a crash between the two writes) goes too once old.
    const direct = await openFsBlobStore(files);
    await direct.put("attachments/stray/file", new Blob(["x"]).stream(), {
      contentType: "text/plain",
      maxBytes: 10,
    });
    await direct.close();
    assert.equal((await filesIn(files)).length, 2);
    const blobs = await sweeper.sweep(Date.now() + ATTACHMENT_ORPHAN_AGE_MS + 60_000);
    assert.equal(blobs.blobs, 1);
    assert.equal((await filesIn(files)).length, 1);
  },
);

attachTest(
  "the quota: 413 quota_exceeded once a user's uploads would pass it",
  async ({ app, files }) => {
    const { channelId, owner } = await room(app);
    await uploaded(owner, channelId, new Uint8Array(600));
    const over = await upload(owner, channelId, new Uint8Array(600));
    assert.equal(over.status, 413);
    assert.equal(over.body.error?.code, "quota_exceeded");
    assert.match((over.body.error as unknown as { message: string }).message, /1000 bytes/);
    assert.equal((await filesIn(files)).length, 1);
    // Someone else still may.
    const other = await register(app, "other");
    assert.equal(other.id.length > 0, true);
  },
  { UPLOAD_QUOTA_BYTES: "1000" },
);

attachTest(
  "signed URLs work without credentials, not after expiry or tampered",
  async ({ app }) => {
    const { channelId, owner } = await room(app);
    const file = await uploaded(owner, channelId, new TextEncoder().encode("signed"), "s.txt");
    await send(owner, channelId, { content: "s", nonce: "u1", attachments: [file.id] });
    const { status, body } = await owner.http.json<{ url: string; expiresAt: string }>(
      "GET",
      `/api/attachments/${file.id}/signed-url`,
    );
    assert.equal(status, 200);
    const ok = await fetch(app.url + body.url);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "signed");
    const tampered = await fetch(
      app.url + body.url.replace(/exp=(\d+)/, (_, n) => `exp=${Number(n) + 1}`),
    );
    assert.equal(tampered.status, 403);
    await tampered.body?.cancel();
    // Signed with the app's secret, but expired.
    const signer = await createUrlSigner(SECRET);
    const past = await signer.sign(file.id, Date.now() - 1000);
    const expired = await fetch(`${app.url}${file.url}?exp=${past.exp}&sig=${past.sig}`);
    assert.equal(expired.status, 403);
    await expired.body?.cancel();
    const fresh = await signer.sign(file.id, Date.now() + 60_000);
    const valid = await fetch(`${app.url}${file.url}?exp=${fresh.exp}&sig=${fresh.sig}`);
    assert.equal(valid.status, 200);
    await valid.body?.cancel();
  },
);
