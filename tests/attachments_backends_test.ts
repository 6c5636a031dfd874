/**
 * Upload → send → serve → delete through the real app on each other blob backend (the API test
 * runs on fs): a Deno KV blob file beside a KV store, PostgreSQL blobs in the store's own schema,
 * and an S3 server (s3rver on a spare loopback port).
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import S3rver from "s3rver";
import { AwsClient } from "aws4fetch";
import type { BlobStore } from "../db/blob_store.ts";
import { openKvBlobStore } from "../db/blobs/kv_blob_store.ts";
import { openPostgresBlobStore } from "../db/blobs/postgres_blob_store.ts";
import { openS3BlobStore } from "../db/blobs/s3_blob_store.ts";
import { loadConfig } from "../lib/config.ts";
import { createServices } from "../lib/services.ts";
import type { WireAttachment, WireMessage } from "../lib/realtime/protocol.ts";
import { createApp } from "../routes/app.ts";
import { fileKeyOf } from "../lib/attachments/wire.ts";
import { KV_BACKEND, needs, POSTGRES_BACKEND, testDatabaseUrl } from "./helpers/backends.ts";
import type { Backend, TestStore } from "./helpers/backends.ts";
import { HttpClient } from "./helpers/http_client.ts";

interface BlobCase {
  name: string;
  backend: Backend;
  /** A blob store for this test store, and how to throw it away afterwards. */
  open(testStore: TestStore): Promise<{ blobs: BlobStore; dispose(): Promise<void> }>;
}

const S3RVER_KEY = "S3RVER";

const CASES: BlobCase[] = [
  {
    name: "kv",
    backend: KV_BACKEND,
    async open() {
      const dir = await Deno.makeTempDir({ prefix: "salon-attach-kv-" });
      return {
        blobs: await openKvBlobStore(`${dir}/blobs.kv`),
        dispose: () => Deno.remove(dir, { recursive: true }),
      };
    },
  },
  {
    name: "postgres",
    backend: POSTGRES_BACKEND,
    async open(testStore) {
      // The store's schema (its bus channel is named after it): dropped with it.
      return {
        blobs: await openPostgresBlobStore(testDatabaseUrl(), {
          schema: testStore.busChannel,
          max: 2,
        }),
        dispose: () => Promise.resolve(),
      };
    },
  },
  {
    name: "s3",
    backend: KV_BACKEND,
    async open() {
      const dir = await Deno.makeTempDir({ prefix: "salon-attach-s3-" });
      const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir });
      const { port } = await server.run() as { port: number };
      const endpoint = `http://127.0.0.1:${port}`;
      const admin = new AwsClient({
        accessKeyId: S3RVER_KEY,
        secretAccessKey: S3RVER_KEY,
        service: "s3",
        region: "us-east-1",
      });
      const created = await admin.fetch(`${endpoint}/attach`, { method: "PUT" });
      await created.body?.cancel();
      assert.ok(created.ok);
      return {
        blobs: await openS3BlobStore({
          endpoint,
          bucket: "attach",
          region: "us-east-1",
          accessKeyId: S3RVER_KEY,
          secretAccessKey: S3RVER_KEY,
        }),
        async dispose() {
          await server.close();
          await Deno.remove(dir, { recursive: true });
        },
      };
    },
  },
];

async function register(base: string, username: string) {
  const http = new HttpClient(base);
  const { status } = await http.json("POST", "/api/auth/register", {
    json: { username, password: "correct horse" },
  });
  assert.equal(status, 201);
  return http;
}

for (const c of CASES) {
  Deno.test(
    `attachments - upload, serve and delete on the ${c.name} blob store`,
    needs(c.backend),
    async () => {
      const testStore = await c.backend.open();
      const { blobs, dispose } = await c.open(testStore);
      const config = { ...loadConfig({ BCRYPT_COST: "4", SECURITY_LOG: "off" }) };
      const services = await createServices(config, testStore.store, { blobStore: blobs });
      const app = createApp({ config, ...services });
      const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
      const base = `http://127.0.0.1:${server.addr.port}`;
      try {
        const owner = await register(base, "owner");
        const created = await owner.json<{ channels: { id: string }[] }>("POST", "/api/servers", {
          json: { name: "Files" },
        });
        const channelId = created.body.channels[0].id;
        // Larger than one chunk or part of every backend, and an image.
        const big = crypto.getRandomValues(new Uint8Array(65_536)).fill(7, 0, 10);
        const bytes = new Uint8Array(6 * 1024 * 1024);
        for (let i = 0; i < bytes.length; i += big.length) {
          bytes.set(big.subarray(0, bytes.length - i), i);
        }
        const upload = async (body: Uint8Array, filename: string) => {
          const { status, body: answer } = await owner.json<{ attachment: WireAttachment }>(
            "POST",
            `/api/channels/${channelId}/attachments?filename=${filename}`,
            { body: body as BodyInit },
          );
          assert.equal(status, 201, JSON.stringify(answer));
          return answer.attachment;
        };
        const file = await upload(bytes, "big.bin");
        const image = await upload(
          new Uint8Array(
            await sharp({ create: { width: 64, height: 48, channels: 3, background: "#123456" } })
              .jpeg().toBuffer(),
          ),
          "p.jpg",
        );
        assert.equal(image.width, 64);
        const sent = await owner.json<{ message: WireMessage }>(
          "POST",
          `/api/channels/${channelId}/messages`,
          { json: { content: "files", attachments: [file.id, image.id] } },
        );
        assert.equal(sent.status, 201);
        const served = await owner.request("GET", file.url);
        assert.equal(served.status, 200);
        assert.deepEqual(new Uint8Array(await served.arrayBuffer()), bytes);
        const part = await owner.request("GET", file.url, {
          headers: { Range: "bytes=5000000-5000009" },
        });
        assert.equal(part.status, 206);
        assert.deepEqual(
          new Uint8Array(await part.arrayBuffer()),
          bytes.subarray(5_000_000, 5_000_010),
        );
        const thumb = await owner.request("GET", image.thumbnailUrl!);
        assert.equal(thumb.headers.get("Content-Type"), "image/webp");
        await thumb.body?.cancel();
        const deleted = await owner.request("DELETE", `/api/messages/${sent.body.message.id}`);
        assert.equal(deleted.status, 204);
        await services.chat.attachmentCleanup!.settled();
        assert.equal(await blobs.stat(fileKeyOf(file.id)), null);
        assert.equal(await blobs.stat(fileKeyOf(image.id)), null);
      } finally {
        await services.close();
        await server.shutdown();
        await dispose();
        await testStore.dispose();
      }
    },
  );
}
