/** The search store contract on every backend, and what the KV index leaves behind. */
import assert from "node:assert/strict";
import { type KvStore, openKvStore } from "../db/kv/kv_store.ts";
import { BACKENDS } from "./helpers/backends.ts";
import { channelRecord, ownedServer } from "./helpers/records.ts";
import { searchStoreContract } from "./search_store_contract.ts";

for (const backend of BACKENDS) searchStoreContract(backend);

async function searchKeys(kv: Deno.Kv, serverId: string): Promise<number> {
  let count = 0;
  for await (const _ of kv.list({ prefix: ["search", serverId] })) count++;
  return count;
}

/** Postings of a server's index (a pack holds many), after what waits is written. */
async function postings(store: KvStore, serverId: string): Promise<number> {
  await store.searchWriter.flush();
  let count = 0;
  for await (const entry of store.kv.list({ prefix: ["search", serverId] })) {
    const value = entry.value as unknown[];
    count += Array.isArray(value[0]) ? (value[1] as unknown[]).length : 1;
  }
  return count;
}

/** The `search_pending` keys left (db/kv/search_writer.ts). */
async function pendingKeys(kv: Deno.Kv): Promise<number> {
  let count = 0;
  for await (const _ of kv.list({ prefix: ["search_pending"] })) count++;
  return count;
}

Deno.test("kv search index - deletions, purges of a channel and a server leave no keys", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-search-" });
  const store = await openKvStore(`${dir}/kv`);
  try {
    const { owner, server, general } = await ownedServer(store);
    const other = channelRecord(server.id, "other", new Date());
    await store.createChannel(other);
    const send = (channelId: string, content: string) =>
      store.appendMessage({
        id: crypto.randomUUID(),
        channelId,
        authorId: owner,
        content,
        createdAt: new Date(),
        nonce: null,
        replyToId: null,
        mentions: { users: [], everyone: false },
      });
    const { message } = await send(general.id, "one two https://a.example/b");
    assert.ok(await postings(store, server.id) > 0);
    await store.editMessage(message.id, "three", new Date());
    await store.deleteMessage(message.id);
    assert.equal(await postings(store, server.id), 0);
    await Promise.all(Array.from({ length: 30 }, (_, i) => send(other.id, `word${i} shared`)));
    await send(general.id, "stays here");
    const kept = await postings(store, server.id);
    // As an instance that stopped before its flush leaves them: one commit's messages in the
    // deleted channel, another's in both.
    const [lone, mixed] = [["search_pending", "0-lone"], ["search_pending", "0-mixed"]];
    await store.kv.atomic()
      .set(lone, [[other.id, 1]])
      .set(mixed, [[other.id, 2], [general.id, 99]])
      .commit();
    await store.deleteChannel(other.id, null);
    await store.purgesDone();
    assert.equal((await store.kv.get(lone)).versionstamp, null);
    assert.deepEqual((await store.kv.get(mixed)).value, [[general.id, 99]]);
    // "word<i> shared": in:, word<i>, shared; "stays here": in:, stays, here.
    assert.equal(kept - await postings(store, server.id), 30 * 3);
    assert.equal(await postings(store, server.id), 3);
    await store.deleteServer(server.id);
    await store.purgesDone();
    assert.equal(await postings(store, server.id), 0);
    assert.equal(await pendingKeys(store.kv), 0);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kv search backfill - messages stored before the index are found once it ran", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-search-" });
  const path = `${dir}/kv`;
  try {
    // A store without the index writes messages as the version before search did.
    const before = await openKvStore(path, { searchIndex: false });
    const { owner, server, general } = await ownedServer(before);
    for (let i = 0; i < 120; i++) {
      await before.appendMessage({
        id: crypto.randomUUID(),
        channelId: general.id,
        authorId: owner,
        content: i === 77 ? "the old needle" : `old hay ${i}`,
        createdAt: new Date(),
        nonce: null,
        replyToId: null,
        mentions: { users: [], everyone: false },
      });
    }
    await before.close();
    const raw = await Deno.openKv(path);
    assert.equal(await searchKeys(raw, server.id), 0);
    raw.close();

    const after = await openKvStore(path);
    try {
      await after.searchBackfill.finished();
      const found = await after.searchMessages({
        channels: [{ channelId: general.id, serverId: server.id }],
        required: [{ text: "needle", tokens: ["needle"] }],
        excluded: [],
        authorIds: null,
        mentionIds: null,
        hasLink: false,
        pinned: false,
        before: null,
        after: null,
        beforeId: null,
        limit: 5,
      });
      assert.deepEqual(found.map((m) => m.content), ["the old needle"]);
      // in: and the words of 120 messages.
      assert.ok(await searchKeys(after.kv, server.id) >= 120 * 3);
      assert.equal((await after.kv.get(["migrations", "search_index"])).value, true);
    } finally {
      await after.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
