/**
 * Server icons and custom emoji in the blob store (db/blob_moves.ts) on both stores, as avatars
 * (tests/blob_move_test.ts): new uploads go there and are streamed from there when served; a
 * replaced icon's blob, a deleted emoji's and a deleted server's go; icons and emoji stored the
 * old way (bytes in the store) are served meanwhile and moved at start-up.
 */
import assert from "node:assert/strict";
import { emojiBlobKey, iconBlobKey } from "../db/blob_moves.ts";
import { openBlobStore } from "../db/blobs/open_blob_store.ts";
import type { BlobStore } from "../db/blob_store.ts";
import { KvStore } from "../db/kv/kv_store.ts";
import { PostgresStore } from "../db/postgres/postgres_store.ts";
import type { Store } from "../db/store.ts";
import type { WireEmoji } from "../lib/realtime/protocol.ts";
import { appTest } from "./helpers/app_test.ts";
import { GIF_1X1, PNG_1X1 } from "./helpers/fixtures.ts";
import type { Person } from "./helpers/people.ts";
import { room } from "./helpers/people.ts";
import type { TestApp } from "./helpers/test_app.ts";

async function withBlobs<T>(app: TestApp, fn: (blobs: BlobStore) => Promise<T>): Promise<T> {
  const blobs = await openBlobStore({
    blobStore: app.config.blobStore,
    databaseUrl: app.config.databaseUrl,
    kvPath: app.config.kvPath,
  });
  try {
    return await fn(blobs);
  } finally {
    await blobs.close();
  }
}

async function putIcon(owner: Person, serverId: string, bytes: Uint8Array, type: string) {
  const put = await owner.http.json<{ server: { iconUrl: string } }>(
    "PUT",
    `/api/servers/${serverId}/icon`,
    { body: bytes as Uint8Array<ArrayBuffer>, headers: { "Content-Type": type } },
  );
  assert.equal(put.status, 200);
  return { url: put.body.server.iconUrl, version: put.body.server.iconUrl.split("?v=")[1] };
}

async function addEmoji(owner: Person, serverId: string, name: string): Promise<WireEmoji> {
  const created = await owner.http.json<{ emoji: WireEmoji }>(
    "POST",
    `/api/servers/${serverId}/emojis?name=${name}`,
    { body: PNG_1X1, headers: { "Content-Type": "image/png" } },
  );
  assert.equal(created.status, 201);
  return created.body.emoji;
}

/** The image at `url` as `person` gets it: its bytes, type and length. */
async function served(person: Person, url: string) {
  const response = await person.http.request("GET", url);
  assert.equal(response.status, 200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.equal(response.headers.get("Content-Length"), String(bytes.length));
  return { bytes, type: response.headers.get("Content-Type") };
}

/** Purges of deleted servers on KV run in the background: wait for them. */
async function purged(store: Store): Promise<void> {
  if (store instanceof KvStore) await store.purgesDone();
}

/** Whether the store still holds old-format bytes of the server's icon or of the emoji. */
async function oldBytesLeft(store: Store, serverId: string, emojiId: string): Promise<boolean> {
  if (store instanceof KvStore) {
    for (const prefix of [["server_icon_chunks", serverId], ["emoji_chunks", emojiId]]) {
      for await (const _ of store.kv.list({ prefix })) return true;
    }
    return false;
  }
  assert.ok(store instanceof PostgresStore);
  const icons = await store.sql`SELECT 1 FROM server_icons
    WHERE server_id = ${serverId} AND bytes IS NOT NULL`;
  const emojis = await store.sql`SELECT 1 FROM emoji_images WHERE emoji_id = ${emojiId}`;
  return icons.length + emojis.length > 0;
}

appTest(
  "server icons - in the blob store, streamed when served; a replaced one's goes",
  async (app) => {
    const { serverId, owner, member } = await room(app);
    const first = await putIcon(owner, serverId, PNG_1X1, "image/png");
    await withBlobs(app, async (blobs) => {
      const key = iconBlobKey(serverId, first.version);
      assert.equal((await blobs.stat(key))?.size, PNG_1X1.length);
      assert.deepEqual(await served(member, first.url), { bytes: PNG_1X1, type: "image/png" });
      const second = await putIcon(owner, serverId, GIF_1X1, "image/gif");
      assert.equal(await blobs.stat(key), null);
      assert.equal((await blobs.stat(iconBlobKey(serverId, second.version)))?.size, GIF_1X1.length);
      assert.deepEqual(await served(member, second.url), { bytes: GIF_1X1, type: "image/gif" });
      // The invite page's icon streams from the same blob.
      const invite = await owner.http.json<{ code: string }>(
        "POST",
        `/api/servers/${serverId}/invites`,
      );
      const viaInvite = await fetch(`${app.url}/invite/${invite.body.code}/icon`);
      assert.equal(viaInvite.status, 200);
      assert.deepEqual(new Uint8Array(await viaInvite.arrayBuffer()), GIF_1X1);
    });
  },
);

appTest(
  "custom emoji - in the blob store, streamed when served; a deleted one's goes",
  async (app) => {
    const { serverId, owner, member } = await room(app);
    const emoji = await addEmoji(owner, serverId, "party");
    await withBlobs(app, async (blobs) => {
      const key = emojiBlobKey(serverId, emoji.id);
      assert.equal((await blobs.stat(key))?.contentType, "image/png");
      assert.deepEqual(await served(member, emoji.url), { bytes: PNG_1X1, type: "image/png" });
      const deleted = await owner.http.request(
        "DELETE",
        `/api/servers/${serverId}/emojis/${emoji.id}`,
      );
      assert.equal(deleted.status, 204);
      assert.equal(await blobs.stat(key), null);
    });
  },
);

appTest("deleting a server deletes its icon's and its emoji's blobs", async (app) => {
  const { serverId, owner } = await room(app);
  const icon = await putIcon(owner, serverId, PNG_1X1, "image/png");
  const emojis = [await addEmoji(owner, serverId, "one"), await addEmoji(owner, serverId, "two")];
  const keys = [
    iconBlobKey(serverId, icon.version),
    ...emojis.map((emoji) => emojiBlobKey(serverId, emoji.id)),
  ];
  await withBlobs(app, async (blobs) => {
    for (const key of keys) assert.ok(await blobs.stat(key), key);
    const deleted = await owner.http.request("DELETE", `/api/servers/${serverId}`);
    assert.equal(deleted.status, 204);
    await purged(app.testStore.store);
    for (const key of keys) assert.equal(await blobs.stat(key), null, key);
  });
});

appTest("icons and emoji stored the old way are served, then moved at start-up", async (app) => {
  const { serverId, owner, member } = await room(app);
  // A store without the blob store writes the old format (bytes in the store).
  const bare = await app.testStore.openAnother();
  await bare.putServerIcon(
    serverId,
    { contentType: "image/png", bytes: PNG_1X1, version: "oldicon" },
    null,
  );
  const emojiId = crypto.randomUUID();
  await bare.createEmoji(
    {
      id: emojiId,
      serverId,
      name: "old_one",
      contentType: "image/gif",
      createdBy: owner.id,
      createdAt: new Date(),
    },
    GIF_1X1,
    null,
  );
  assert.ok(await oldBytesLeft(bare, serverId, emojiId));
  const iconUrl = `/api/servers/${serverId}/icon?v=oldicon`;
  const emojiUrl = `/api/servers/${serverId}/emojis/${emojiId}`;
  assert.deepEqual(await served(member, iconUrl), { bytes: PNG_1X1, type: "image/png" });
  assert.deepEqual(await served(member, emojiUrl), { bytes: GIF_1X1, type: "image/gif" });

  // The move runs in the background at start-up; closing waits for it, so after a second
  // restart the first one's move has finished.
  await app.restart();
  await app.restart();
  assert.equal(await oldBytesLeft(bare, serverId, emojiId), false);
  await withBlobs(app, async (blobs) => {
    assert.equal((await blobs.stat(iconBlobKey(serverId, "oldicon")))?.size, PNG_1X1.length);
    assert.equal((await blobs.stat(emojiBlobKey(serverId, emojiId)))?.size, GIF_1X1.length);
  });
  assert.deepEqual(await served(member, iconUrl), { bytes: PNG_1X1, type: "image/png" });
  assert.deepEqual(await served(member, emojiUrl), { bytes: GIF_1X1, type: "image/gif" });
  // Deleting the server now deletes the moved blobs.
  assert.equal((await owner.http.request("DELETE", `/api/servers/${serverId}`)).status, 204);
  await purged(app.testStore.store);
  await withBlobs(app, async (blobs) => {
    assert.equal(await blobs.stat(iconBlobKey(serverId, "oldicon")), null);
    assert.equal(await blobs.stat(emojiBlobKey(serverId, emojiId)), null);
  });
});
