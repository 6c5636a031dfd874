/**
 * The DM store contract (db/dm_store.ts) on Deno KV and PostgreSQL: the one DM of a pair (also
 * under concurrent opens from both sides and two handles, as two instances), group DMs and
 * their limit, closing, the list's order and seqs, blocks and policies, and messages appended
 * into a DM channel like any channel's.
 */
import assert from "node:assert/strict";
import type { ChannelRecord } from "../db/store.ts";
import { DmFullError } from "../db/dm_store.ts";
import { type Backend, BACKENDS, storeTest } from "./helpers/backends.ts";
import { newUser } from "./helpers/records.ts";

let clock = Date.parse("2026-03-01T00:00:00Z");

function dmChannel(kind: "dm" | "group_dm" = "dm"): ChannelRecord {
  const id = crypto.randomUUID();
  return {
    id,
    serverId: id,
    name: "",
    createdAt: new Date(clock += 1000),
    kind,
    parentId: null,
    topic: "",
    position: 0,
  };
}

function dmContract(backend: Backend): void {
  const test = (name: string, fn: Parameters<typeof storeTest>[2]) =>
    storeTest(backend, `dm store - ${name} (${backend.name})`, fn);

  test("one DM per pair, whoever opens it and however many at once", async (t) => {
    const store = t.store;
    const [a, b] = [await newUser(store, "a"), await newUser(store, "b")];
    const other = await t.openAnother();
    const opens = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) =>
          (i % 2 ? store : other).openDm(dmChannel(), i % 2 ? a.id : b.id, i % 2 ? b.id : a.id),
      ),
    );
    assert.equal(new Set(opens.map((o) => o.dm.channel.id)).size, 1);
    assert.equal(opens.filter((o) => o.created).length, 1);
    const dm = opens[0].dm;
    assert.deepEqual([...dm.recipientIds].sort(), [a.id, b.id].sort());
    const found = await store.findDmChannel(dm.channel.id);
    assert.equal(found?.channel.kind, "dm");
    assert.equal(found?.channel.serverId, dm.channel.id);
    assert.deepEqual((await store.findChannel(dm.channel.id))?.kind, "dm");
    assert.ok(await store.isDmMember(dm.channel.id, a.id));
    const c = await newUser(store, "c");
    assert.equal(await store.isDmMember(dm.channel.id, c.id), false);
    assert.equal(await store.findDmChannel(crypto.randomUUID()), null);
  });

  test("messages go into a DM like any channel; the list orders by activity", async (t) => {
    const store = t.store;
    const [a, b, c] = [
      await newUser(store, "a"),
      await newUser(store, "b"),
      await newUser(store, "c"),
    ];
    const ab = (await store.openDm(dmChannel(), a.id, b.id)).dm;
    const ac = (await store.openDm(dmChannel(), a.id, c.id)).dm;
    assert.deepEqual((await store.listDmsOf(a.id)).map((s) => s.dm.channel.id), [
      ac.channel.id,
      ab.channel.id,
    ]);
    const sent = await store.appendMessage({
      id: crypto.randomUUID(),
      channelId: ab.channel.id,
      authorId: b.id,
      content: "hi",
      createdAt: new Date(clock += 1000),
      nonce: null,
      replyToId: null,
      mentions: { users: [], everyone: false },
    });
    assert.equal(sent.message.seq, 1);
    await store.setReadMarker(a.id, ab.channel.id, 1);
    const listed = await store.listDmsOf(a.id);
    assert.deepEqual(listed.map((s) => [s.dm.channel.id, s.lastSeq, s.readSeq]), [
      [ab.channel.id, 1, 1],
      [ac.channel.id, 0, 0],
    ]);
    assert.equal(listed[0].activityAt.getTime(), sent.message.createdAt.getTime());
    assert.deepEqual(
      (await store.listMessages(ab.channel.id, { limit: 10 })).map((m) => m.content),
      ["hi"],
    );
    assert.deepEqual([...await store.listDmIdsOf(c.id)], [ac.channel.id]);
    // No server shows it.
    assert.deepEqual(await store.listServersOf(a.id), []);
  });

  test("closing hides a DM from one member; opening shows it again", async (t) => {
    const store = t.store;
    const [a, b] = [await newUser(store, "a"), await newUser(store, "b")];
    const dm = (await store.openDm(dmChannel(), a.id, b.id)).dm;
    assert.equal(await store.setDmClosed(dm.channel.id, b.id, true), true);
    assert.deepEqual(await store.listDmsOf(b.id), []);
    assert.equal((await store.listDmsOf(b.id, true)).length, 1);
    assert.deepEqual((await store.findDmChannel(dm.channel.id))?.closedBy, [b.id]);
    assert.deepEqual(await store.listDmIdsOf(b.id), [dm.channel.id]);
    const again = await store.openDm(dmChannel(), b.id, a.id);
    assert.equal(again.created, false);
    assert.deepEqual(again.dm.closedBy, []);
    assert.equal((await store.listDmsOf(b.id)).length, 1);
    const stranger = await newUser(store, "s");
    assert.equal(await store.setDmClosed(dm.channel.id, stranger.id, true), false);
  });

  test("a deleted account leaves its DMs: no longer a recipient, no longer counted", async (t) => {
    const store = t.store;
    const [a, b, c, d] = await Promise.all(["a", "b", "c", "d"].map((n) => newUser(store, n)));
    const group = await store.createGroupDm(dmChannel("group_dm"), [a.id, b.id, c.id]);
    const pair = (await store.openDm(dmChannel(), a.id, c.id)).dm;
    await store.blockUser(c.id, b.id, new Date());
    await store.setDmPolicy(c.id, "nobody");
    assert.equal(await store.deleteUser(c.id), true);
    assert.deepEqual((await store.findDmChannel(group.channel.id))?.recipientIds, [a.id, b.id]);
    assert.deepEqual((await store.findDmChannel(pair.channel.id))?.recipientIds, [a.id]);
    assert.equal(await store.isDmMember(group.channel.id, c.id), false);
    assert.deepEqual(await store.listDmIdsOf(c.id), []);
    assert.deepEqual(await store.listBlockedIds(c.id), []);
    // Room again for a third member in a group of at most 3.
    assert.equal(await store.addDmRecipient(group.channel.id, d.id, 3), true);
  });

  test("group DMs: members, adding up to the limit, leaving", async (t) => {
    const store = t.store;
    const users = await Promise.all(["a", "b", "c", "d"].map((n) => newUser(store, n)));
    const [a, b, c, d] = users;
    const group = await store.createGroupDm(dmChannel("group_dm"), [a.id, b.id]);
    assert.deepEqual((await store.findDmChannel(group.channel.id))?.recipientIds, [a.id, b.id]);
    assert.equal(await store.addDmRecipient(group.channel.id, c.id, 3), true);
    assert.equal(await store.addDmRecipient(group.channel.id, c.id, 3), false);
    await assert.rejects(store.addDmRecipient(group.channel.id, d.id, 3), DmFullError);
    assert.deepEqual((await store.findDmChannel(group.channel.id))?.recipientIds, [
      a.id,
      b.id,
      c.id,
    ]);
    assert.equal(await store.removeDmRecipient(group.channel.id, b.id), true);
    assert.equal(await store.removeDmRecipient(group.channel.id, b.id), false);
    assert.equal(await store.isDmMember(group.channel.id, b.id), false);
    assert.deepEqual(await store.listDmsOf(b.id), []);
    assert.equal(await store.addDmRecipient(group.channel.id, d.id, 3), true);
    assert.equal(await store.setDmName(group.channel.id, "Crew"), true);
    assert.equal((await store.findDmChannel(group.channel.id))?.channel.name, "Crew");
    assert.equal((await store.findChannel(group.channel.id))?.name, "Crew");
    // Only group DMs take recipients.
    const pair = (await store.openDm(dmChannel(), a.id, b.id)).dm;
    assert.equal(await store.addDmRecipient(pair.channel.id, d.id, 10), false);
    assert.equal(await store.setDmName(pair.channel.id, "x"), false);
    // Racing adds never pass the limit.
    const big = await store.createGroupDm(dmChannel("group_dm"), [a.id]);
    const other = await t.openAnother();
    const results = await Promise.allSettled(
      [b, c, d].map((u, i) => (i % 2 ? store : other).addDmRecipient(big.channel.id, u.id, 2)),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled" && r.value).length, 1);
    assert.equal((await store.findDmChannel(big.channel.id))?.recipientIds.length, 2);
  });

  test("blocks and policies", async (t) => {
    const store = t.store;
    const [a, b] = [await newUser(store, "a"), await newUser(store, "b")];
    assert.equal(await store.hasBlocked(a.id, b.id), false);
    assert.equal(await store.blockUser(a.id, b.id, new Date()), true);
    assert.equal(await store.blockUser(a.id, b.id, new Date()), false);
    assert.equal(await store.hasBlocked(a.id, b.id), true);
    assert.equal(await store.hasBlocked(b.id, a.id), false);
    assert.deepEqual(await store.listBlockedIds(a.id), [b.id]);
    assert.equal(await store.unblockUser(a.id, b.id), true);
    assert.equal(await store.unblockUser(a.id, b.id), false);
    assert.deepEqual(await store.listBlockedIds(a.id), []);

    assert.equal(await store.findDmPolicy(a.id), "server_members");
    await store.setDmPolicy(a.id, "nobody");
    assert.equal(await store.findDmPolicy(a.id), "nobody");
    await store.setDmPolicy(a.id, "everyone");
    assert.equal(await store.findDmPolicy(a.id), "everyone");
  });
}

for (const backend of BACKENDS) dmContract(backend);
