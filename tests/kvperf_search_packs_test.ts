/**
 * The Deno KV search index's packs (db/kv/search_writer.ts, search_keys.ts): sends indexed a
 * moment after their commits, many messages per key; paging across packs, edits and deletions
 * taking messages out of them, and a restart indexing what a crash left pending.
 */
import assert from "node:assert/strict";
import { v7 as uuidv7 } from "uuid";
import { KvStore, openKvStore } from "../db/kv/kv_store.ts";
import { PENDING_PREFIX } from "../db/kv/search_writer.ts";
import type { ChannelRecord, MessageRecord, SearchCriteria, ServerRecord } from "../db/store.ts";
import { parseQuery } from "../lib/search/query.ts";
import { channelRecord, ownedServer } from "./helpers/records.ts";

interface World {
  store: KvStore;
  owner: string;
  server: ServerRecord;
  general: ChannelRecord;
  other: ChannelRecord;
}

async function world(store: KvStore): Promise<World> {
  const { owner, server, general } = await ownedServer(store);
  const other = channelRecord(server.id, "other", new Date());
  await store.createChannel(other);
  return { store, owner, server, general, other };
}

let clock = Date.now();
function send(w: World, channelId: string, content: string) {
  const createdAt = new Date(clock++);
  return w.store.appendMessage({
    id: uuidv7({ msecs: createdAt.getTime() }),
    channelId,
    authorId: w.owner,
    content,
    createdAt,
    nonce: null,
    replyToId: null,
    mentions: { users: [], everyone: false },
  });
}

function criteria(w: World, q: string, more: Partial<SearchCriteria> = {}): SearchCriteria {
  // "": no word (the channels' messages), which the store takes and the parser does not.
  const query = q === "" ? { required: [], excluded: [] } : parseQuery(q);
  return {
    channels: [w.general, w.other].map((c) => ({ channelId: c.id, serverId: w.server.id })),
    required: query.required,
    excluded: query.excluded,
    authorIds: null,
    mentionIds: null,
    hasLink: false,
    pinned: false,
    before: null,
    after: null,
    beforeId: null,
    limit: 25,
    ...more,
  };
}

/** Every page of a search, newest first, each below the last one's oldest id. */
async function allPages(w: World, q: string, limit: number): Promise<MessageRecord[]> {
  const out: MessageRecord[] = [];
  let beforeId: string | null = null;
  for (;;) {
    const page = await w.store.searchMessages(criteria(w, q, { limit, beforeId }));
    out.push(...page);
    if (page.length < limit) return out;
    beforeId = page[page.length - 1].id;
  }
}

/** Keys and postings (a pack holds many) of a server's index. */
async function indexSize(kv: Deno.Kv, serverId: string) {
  let keys = 0;
  let postings = 0;
  for await (const entry of kv.list({ prefix: ["search", serverId] })) {
    keys++;
    const value = entry.value as unknown[];
    postings += Array.isArray(value[0]) ? (value[1] as unknown[]).length : 1;
  }
  return { keys, postings };
}

async function withStore(run: (store: KvStore, path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "salon-packs-" });
  const store = await openKvStore(`${dir}/kv`);
  try {
    await run(store, `${dir}/kv`);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("kv search packs - sends sent together share keys; every page in order, no gaps", async () => {
  await withStore(async (store) => {
    const w = await world(store);
    const sent = await Promise.all(
      Array.from(
        { length: 300 },
        (_, i) =>
          send(w, i % 2 ? w.general.id : w.other.id, `item ${i} ${i % 3 === 0 ? "fizz" : "buzz"}`),
      ),
    );
    await store.searchWriter.flush();
    const size = await indexSize(store.kv, w.server.id);
    // in:, item, fizz|buzz and the number: 4 postings a message, far fewer keys.
    assert.equal(size.postings, 300 * 4);
    assert.ok(size.keys < 300 * 2, `${size.keys} keys`);
    const byId = (a: MessageRecord, b: MessageRecord) => (a.id < b.id ? 1 : -1);
    const fizz = sent.map((r) => r.message).filter((m) => m.content.endsWith("fizz")).sort(byId);
    for (const limit of [1, 7, 25]) {
      assert.deepEqual((await allPages(w, "fizz", limit)).map((m) => m.id), fizz.map((m) => m.id));
    }
    const everything = sent.map((r) => r.message).sort(byId);
    assert.deepEqual((await allPages(w, "", 40)).map((m) => m.id), everything.map((m) => m.id));
    assert.deepEqual((await allPages(w, "item", 33)).map((m) => m.id), everything.map((m) => m.id));
  });
});

Deno.test("kv search packs - found at once after a send, an edit and a deletion", async () => {
  await withStore(async (store) => {
    const w = await world(store);
    const sent = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send(w, w.general.id, `alpha beta${i}`)),
    );
    // A search on this instance flushes what waits here first.
    assert.equal((await store.searchMessages(criteria(w, "alpha", { limit: 100 }))).length, 50);
    const edited = sent[10].message;
    await store.editMessage(edited.id, "gamma beta10", new Date());
    assert.deepEqual(
      (await store.searchMessages(criteria(w, "gamma"))).map((m) => m.id),
      [edited.id],
    );
    assert.equal((await store.searchMessages(criteria(w, "alpha", { limit: 100 }))).length, 49);
    const before = await indexSize(store.kv, w.server.id);
    // The edit took it out of alpha's pack: alpha has 49 postings left.
    assert.equal(before.postings, 50 * 3 + 1 - 1);
    await store.deleteMessage(sent[20].message.id);
    assert.equal((await indexSize(store.kv, w.server.id)).postings, before.postings - 3);
    for (const { message } of sent) await store.deleteMessage(message.id);
    assert.deepEqual(await indexSize(store.kv, w.server.id), { keys: 0, postings: 0 });
  });
});

Deno.test("kv search packs - a restart indexes the sends a crash left pending", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-packs-" });
  const path = `${dir}/kv`;
  try {
    // Messages written without their index, and the pending key their commit would leave.
    const plain = await openKvStore(path, { searchIndex: false });
    const w = await world(plain);
    const sent = [];
    for (let i = 0; i < 30; i++) sent.push((await send(w, w.other.id, `lost ${i}`)).message);
    await plain.close();
    const raw = await Deno.openKv(path);
    await raw.set(["migrations", "search_index"], true); // no backfill: only the recovery
    // Named like the append's (its first message's id), from a minute ago: the ids above run
    // ahead of the clock when sends are quicker than one per millisecond, and a start leaves
    // the keys named after it to its own flush.
    await raw.set(
      [...PENDING_PREFIX, uuidv7({ msecs: Date.now() - 60_000 })],
      sent.map((m) => [m.channelId, m.seq]),
    );
    raw.close();

    const store = await openKvStore(path);
    try {
      await store.searchBackfill.finished();
      const found = await store.searchMessages(criteria({ ...w, store }, "lost", { limit: 50 }));
      assert.equal(found.length, 30);
      let left = 0;
      for await (const _ of store.kv.list({ prefix: PENDING_PREFIX })) left++;
      assert.equal(left, 0);
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
