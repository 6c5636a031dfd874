/** Deno KV only: the by-author index of db/kv/author_messages.ts, seen in the database itself. */
import assert from "node:assert/strict";
import { v7 as uuidv7 } from "uuid";
import { authorMessageKey } from "../db/kv/author_messages.ts";
import type { KvStore } from "../db/kv/kv_store.ts";
import type { MessageRecord, Store, UserRecord } from "../db/store.ts";
import { KV_BACKEND, needs } from "./helpers/backends.ts";

const OWNER: UserRecord = {
  id: crypto.randomUUID(),
  username: "legacy",
  displayName: "Legacy",
  bio: "",
  passwordHash: "$2a$04$hash",
  avatarVersion: null,
  createdAt: new Date("2026-01-02T03:04:05.678Z"),
};

/**
 * A server of OWNER's with one channel: messages belong to a channel that exists (a message of
 * a channel that is gone, deleted and being purged, reads as none).
 */
async function seedChannel(store: Store): Promise<string> {
  const serverId = crypto.randomUUID();
  const channelId = crypto.randomUUID();
  const createdAt = new Date();
  await store.createServer(
    { id: serverId, name: "legacy", ownerId: OWNER.id, createdAt, iconVersion: null },
    {
      id: channelId,
      serverId,
      name: "general",
      createdAt,
      kind: "text",
      parentId: null,
      topic: "",
      position: 0,
    },
  );
  return channelId;
}

/** A message written the way the store did before the index: message and id keys only. */
async function writeLegacyMessage(kv: Deno.Kv, channelId: string, seq: number, content: string) {
  const message: MessageRecord = {
    id: uuidv7(),
    channelId,
    seq,
    authorId: OWNER.id,
    content,
    createdAt: new Date(),
    editedAt: null,
    nonce: null,
    replyToId: null,
    mentions: { users: [], everyone: false },
  };
  await kv.atomic()
    .set(["messages", channelId, seq], message)
    .set(["message_ids", message.id], [channelId, seq])
    .set(["channel_seq", channelId], seq)
    .commit();
  return message;
}

Deno.test(
  "indexLegacyAuthorMessages - older messages get their index entry when the store opens",
  needs(KV_BACKEND),
  async () => {
    const opened = await KV_BACKEND.open();
    try {
      const { kv } = opened.store as KvStore;
      await opened.store.createUser(OWNER);
      const channelId = await seedChannel(opened.store);
      const legacy = [
        await writeLegacyMessage(kv, channelId, 1, "before the index"),
        await writeLegacyMessage(kv, channelId, 2, "also before"),
      ];
      // The fresh store indexed its (then empty) data already; this one predates that.
      await kv.delete(["migrations", "author_messages"]);
      assert.deepEqual(await opened.store.listMessagesByAuthor(OWNER.id, { limit: 10 }), []);

      const reopened = await opened.reopen();
      assert.deepEqual(await reopened.listMessagesByAuthor(OWNER.id, { limit: 10 }), legacy);
      assert.equal(await reopened.deleteMessage(legacy[0].id), true);
      assert.deepEqual(
        await reopened.listMessagesByAuthor(OWNER.id, { limit: 10 }),
        [legacy[1]],
        "the backfilled entry goes with its message",
      );
    } finally {
      await opened.dispose();
    }
  },
);

Deno.test(
  "deleteMessage - the by-author index entry goes in the same commit as the message",
  needs(KV_BACKEND),
  async () => {
    const opened = await KV_BACKEND.open();
    try {
      const { kv } = opened.store as KvStore;
      await opened.store.createUser(OWNER);
      const { message } = await opened.store.appendMessage({
        id: uuidv7(),
        channelId: await seedChannel(opened.store),
        authorId: OWNER.id,
        content: "soon gone",
        createdAt: new Date(),
        nonce: "n1",
        replyToId: null,
        mentions: { users: [], everyone: false },
      });
      const key = authorMessageKey(OWNER.id, message.id);
      assert.deepEqual((await kv.get(key)).value, [message.channelId, message.seq]);
      assert.equal(await opened.store.deleteMessage(message.id), true);
      assert.equal((await kv.get(key)).versionstamp, null);
    } finally {
      await opened.dispose();
    }
  },
);
