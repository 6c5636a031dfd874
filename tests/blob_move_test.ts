/**
 * Avatars in the blob store (db/blob_moves.ts) on both stores: new uploads go there and the one
 * replaced is deleted; avatars stored the old way (bytes in the store) are served meanwhile and
 * moved at start-up.
 */
import assert from "node:assert/strict";
import { avatarBlobKey } from "../db/blob_moves.ts";
import { openBlobStore } from "../db/blobs/open_blob_store.ts";
import type { BlobStore } from "../db/blob_store.ts";
import { KvStore } from "../db/kv/kv_store.ts";
import { PostgresStore } from "../db/postgres/postgres_store.ts";
import type { Store } from "../db/store.ts";
import { appTest } from "./helpers/app_test.ts";
import { GIF_1X1, PNG_1X1 } from "./helpers/fixtures.ts";
import { HttpClient } from "./helpers/http_client.ts";
import type { TestApp } from "./helpers/test_app.ts";

interface UserBody {
  id: string;
  avatarUrl: string;
}

async function signedIn(app: TestApp) {
  const client = new HttpClient(app.url);
  const { body } = await client.json<{ user: UserBody }>("POST", "/api/auth/register", {
    json: { username: "blob.mover", password: "correct horse", displayName: "Mo" },
  });
  return { client, user: body.user };
}

function openBlobs(app: TestApp): Promise<BlobStore> {
  return openBlobStore({
    blobStore: app.config.blobStore,
    databaseUrl: app.config.databaseUrl,
    kvPath: app.config.kvPath,
  });
}

async function served(app: TestApp, userId: string): Promise<{ url: string; bytes: Uint8Array }> {
  const user = await app.accounts.getUser(userId);
  const url = `/api/users/${userId}/avatar?v=${user.avatarVersion}`;
  const response = await fetch(app.url + url);
  assert.equal(response.status, 200);
  return { url, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Whether the store still holds old-format bytes for the user's avatar. */
async function oldBytesLeft(store: Store, userId: string): Promise<boolean> {
  if (store instanceof KvStore) {
    for await (const _ of store.kv.list({ prefix: ["avatar_chunks", userId] })) return true;
    return false;
  }
  assert.ok(store instanceof PostgresStore);
  const rows = await store.sql`SELECT 1 FROM avatars WHERE user_id = ${userId}
    AND bytes IS NOT NULL`;
  return rows.length > 0;
}

appTest("avatars - a replaced avatar's blob is deleted", async (app) => {
  const { client, user } = await signedIn(app);
  const put = (bytes: Uint8Array<ArrayBuffer>, type: string) =>
    client.json<{ user: UserBody }>("PUT", "/api/me/avatar", {
      body: bytes,
      headers: { "Content-Type": type },
    });
  await put(PNG_1X1, "image/png");
  const first = (await app.accounts.getUser(user.id)).avatarVersion!;
  const blobs = await openBlobs(app);
  try {
    assert.equal((await blobs.stat(avatarBlobKey(user.id, first)))?.contentType, "image/png");
    await put(GIF_1X1, "image/gif");
    const second = (await app.accounts.getUser(user.id)).avatarVersion!;
    assert.notEqual(second, first);
    assert.equal(await blobs.stat(avatarBlobKey(user.id, first)), null);
    assert.equal((await blobs.stat(avatarBlobKey(user.id, second)))?.size, GIF_1X1.length);
    assert.deepEqual((await served(app, user.id)).bytes, GIF_1X1);
  } finally {
    await blobs.close();
  }
});

appTest("avatars - one stored the old way is served, then moved at start-up", async (app) => {
  const { user } = await signedIn(app);
  // A store without the blob store writes the old format (bytes in the store).
  const bare = await app.testStore.openAnother();
  await bare.putAvatar(user.id, { contentType: "image/png", bytes: PNG_1X1, version: "old1" });
  assert.ok(await oldBytesLeft(bare, user.id));
  const before = await served(app, user.id);
  assert.equal(before.url, `/api/users/${user.id}/avatar?v=old1`);
  assert.deepEqual(before.bytes, PNG_1X1);

  // The move runs in the background at start-up; closing waits for it, so after a second
  // restart the first one's move has finished.
  await app.restart();
  await app.restart();
  assert.equal(await oldBytesLeft(bare, user.id), false);
  const blobs = await openBlobs(app);
  try {
    assert.equal((await blobs.stat(avatarBlobKey(user.id, "old1")))?.size, PNG_1X1.length);
  } finally {
    await blobs.close();
  }
  const after = await served(app, user.id);
  assert.equal(after.url, before.url);
  assert.deepEqual(after.bytes, PNG_1X1);
});
