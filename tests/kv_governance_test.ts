/**
 * Deno KV only: what the governance contract cannot see from outside the store: deletions purge
 * their bulk in batches (and resume after a close), commits stay within KV's limits for big
 * servers and categories, and sends never land in a deleted channel.
 */
import assert from "node:assert/strict";
import { v7 as uuidv7 } from "uuid";
import { KvStore, openKvStore } from "../db/kv/kv_store.ts";
import type { ChannelRecord, ServerRecord, Store, UserRecord } from "../db/store.ts";
import { NotAMemberError } from "../db/store.ts";
import { auditEntry } from "../lib/governance/audit.ts";
import { channelRecord } from "./helpers/records.ts";

let clock = Date.parse("2026-05-01T00:00:00.000Z");
const tick = () => new Date(clock += 1000);

async function withStore(fn: (store: KvStore, path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "salon-kvgov-" });
  const path = `${dir}/test.kv`;
  const store = await openKvStore(path);
  try {
    await fn(store, path);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function channel(
  serverId: string,
  name: string,
  overrides: Partial<ChannelRecord> = {},
): ChannelRecord {
  return channelRecord(serverId, name, tick(), overrides);
}

async function seed(store: Store) {
  const owner: UserRecord = {
    id: crypto.randomUUID(),
    username: `o${crypto.randomUUID().slice(0, 8)}`,
    displayName: "o",
    bio: "",
    passwordHash: "x",
    avatarVersion: null,
    createdAt: tick(),
  };
  await store.createUser(owner);
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: "s",
    ownerId: owner.id,
    createdAt: tick(),
    iconVersion: null,
  };
  const general = channel(server.id, "general");
  await store.createServer(server, general);
  return { owner, server, general };
}

const send = (
  store: Store,
  channelId: string,
  authorId: string,
  nonce: string | null = null,
  memberOf?: string,
) =>
  store.appendMessage({
    id: uuidv7(),
    channelId,
    authorId,
    content: "hi",
    createdAt: new Date(),
    nonce,
    replyToId: null,
    mentions: { users: [], everyone: false },
  }, memberOf);

/** Every key in the database that names one of `ids` (in the key or the value). */
async function keysNaming(kv: Deno.Kv, ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    const text = JSON.stringify(entry.key) +
      JSON.stringify(
        entry.value,
        (_, v) => v instanceof Uint8Array ? "bytes" : v,
      );
    if (ids.some((id) => text.includes(id))) {
      found.push(JSON.stringify(entry.key));
    }
  }
  return found;
}

Deno.test("kv deleteChannel - the purge removes every message in batches, and the rest", async () => {
  await withStore(async (store) => {
    const { owner, server, general } = await seed(store);
    const doomed = channel(server.id, "doomed");
    await store.createChannel(doomed, null);
    // More than a purge batch (200), half with nonces.
    await Promise.all(
      Array.from(
        { length: 450 },
        (_, i) => send(store, doomed.id, owner.id, i % 2 ? `n${i}` : null),
      ),
    );
    await store.setReadMarker(owner.id, doomed.id, 3);
    await store.putOverwrite({
      channelId: doomed.id,
      targetId: server.id,
      type: "role",
      allow: [],
      deny: ["view_channel"],
    }, null);
    const kept = (await send(store, general.id, owner.id, "k1")).message;
    assert.equal(await store.deleteChannel(doomed.id, null), true);
    await assert.rejects(send(store, doomed.id, owner.id), /No channel/);
    await assert.rejects(
      send(store, doomed.id, owner.id, null, server.id),
      NotAMemberError,
    );
    await store.purgesDone();
    assert.deepEqual(await keysNaming(store.kv, [doomed.id]), []);
    assert.deepEqual(await store.findMessage(kept.id), kept);
    assert.equal(
      (await store.listMessagesByAuthor(owner.id, { limit: 1000 })).length,
      1,
    );
  });
});

Deno.test("kv deleteServer - the purge leaves nothing of the server", async () => {
  await withStore(async (store) => {
    const { owner, server, general } = await seed(store);
    const other = await seed(store);
    const channels = [general];
    for (let i = 0; i < 5; i++) {
      const c = channel(server.id, `c${i}`);
      await store.createChannel(
        c,
        auditEntry(tick().getTime(), {
          serverId: server.id,
          actorId: owner.id,
          action: "channel_create",
          targetType: "channel",
          targetId: c.id,
        }),
      );
      channels.push(c);
    }
    const members: string[] = [];
    for (let i = 0; i < 700; i++) {
      const id = crypto.randomUUID();
      members.push(id);
      await store.addMember(server.id, id, tick());
    }
    await store.addMember(other.server.id, members[0], tick());
    const role = {
      id: crypto.randomUUID(),
      serverId: server.id,
      name: "r",
      color: null,
      position: 1,
      permissions: [],
      mentionable: false,
    };
    await store.createRole(role, null);
    await store.setMemberRole(server.id, members[1], role.id, true, null);
    await store.setMemberTimeout(
      server.id,
      members[2],
      new Date(Date.now() + 60_000),
      null,
    );
    await store.banMember({
      serverId: server.id,
      userId: members[3],
      reason: "x",
      createdAt: tick(),
    }, null);
    await store.createInvite({
      code: "abc",
      serverId: server.id,
      createdBy: owner.id,
      createdAt: tick(),
      expiresAt: null,
      maxUses: 0,
      uses: 0,
    }, null);
    await store.putServerIcon(server.id, {
      contentType: "image/png",
      bytes: new Uint8Array(150_000),
      version: "v1",
    }, null);
    for (const c of channels) {
      for (let i = 0; i < 30; i++) await send(store, c.id, members[5], null);
    }
    for (const c of channels) await store.setReadMarker(members[5], c.id, 2);
    assert.equal(await store.deleteServer(server.id), true);
    await store.purgesDone();
    const left = await keysNaming(store.kv, [
      server.id,
      ...channels.map((c) => c.id),
    ]);
    assert.deepEqual(left, []);
    assert.deepEqual((await store.listServersOf(members[0])).map((s) => s.id), [
      other.server.id,
    ]);
    assert.equal(await store.isMember(other.server.id, members[0]), true);
  });
});

Deno.test("kv purge - one cut short by a close resumes at the next open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-kvgov-" });
  const path = `${dir}/test.kv`;
  try {
    let store = await openKvStore(path);
    const { owner, server, general } = await seed(store);
    for (let i = 0; i < 50; i++) await send(store, general.id, owner.id);
    // As a crash right after the deleting commit leaves it: the purge recorded, nothing purged.
    await store.kv.atomic()
      .delete(["servers", server.id])
      .delete(["channels", general.id])
      .set(["purges", "server", server.id], { kind: "server", id: server.id })
      .commit();
    await store.close();
    store = await openKvStore(path);
    await store.purgesDone();
    assert.deepEqual(await keysNaming(store.kv, [server.id, general.id]), []);
    // And a delete followed at once by a close leaves it to the next open too.
    const again = await seed(store);
    for (let i = 0; i < 500; i++) {
      await send(store, again.general.id, again.owner.id);
    }
    await store.deleteServer(again.server.id);
    await store.close();
    store = await openKvStore(path);
    assert.equal(await store.findServer(again.server.id), null);
    await store.purgesDone();
    assert.deepEqual(
      await keysNaming(store.kv, [again.server.id, again.general.id]),
      [],
    );
    await store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kv deleteChannel - a category with more channels than a commit checks", async () => {
  await withStore(async (store) => {
    const { server } = await seed(store);
    const category = channel(server.id, "cat", { kind: "category" });
    await store.createChannel(category, null);
    const children = [];
    for (let i = 0; i < 250; i++) {
      const c = channel(server.id, `child${i}`, { parentId: category.id });
      await store.createChannel(c, null);
      children.push(c);
    }
    assert.equal(await store.deleteChannel(category.id, null), true);
    for (const c of children) {
      assert.deepEqual(await store.findChannel(c.id), { ...c, parentId: null });
    }
    const listed = await store.listChannels(server.id);
    assert.equal(listed.length, 251);
    assert.ok(listed.every((c) => c.parentId === null));
  });
});

Deno.test("kv deleteServer - more channels than one commit holds (stored before the limit)", async () => {
  await withStore(async (store) => {
    const { server, general } = await seed(store);
    const ids = [general.id];
    let op = store.kv.atomic();
    for (let i = 0; i < 1200; i++) {
      const c = channel(server.id, `x${i}`);
      ids.push(c.id);
      op = op.set(["channels", c.id], c).set([
        "server_channels",
        server.id,
        c.id,
      ], c)
        .set(["channel_names", server.id, c.name], c.id);
      if (i % 300 === 299) {
        await op.commit();
        op = store.kv.atomic();
      }
    }
    await op.commit();
    assert.equal((await store.listChannels(server.id)).length, 1201);
    assert.equal(await store.deleteServer(server.id), true);
    for (const id of ids) assert.equal(await store.findChannel(id), null);
    await store.purgesDone();
    assert.deepEqual(await keysNaming(store.kv, [server.id]), []);
  });
});

Deno.test("kv joinByInvite and banMember racing: never both a member and banned", async () => {
  await withStore(async (store) => {
    const { owner, server } = await seed(store);
    for (let round = 0; round < 20; round++) {
      const code = `code${round}`;
      await store.createInvite({
        code,
        serverId: server.id,
        createdBy: owner.id,
        createdAt: tick(),
        expiresAt: null,
        maxUses: 0,
        uses: 0,
      }, null);
      const user = crypto.randomUUID();
      const [join, ban] = await Promise.all([
        store.joinByInvite(code, user, new Date()),
        store.banMember({
          serverId: server.id,
          userId: user,
          reason: null,
          createdAt: tick(),
        }, null),
      ]);
      assert.equal(await store.isMember(server.id, user), false);
      assert.notEqual(await store.findBan(server.id, user), null);
      if (join.status === "joined") assert.equal(ban.wasMember, true);
      else assert.equal(join.status, "banned");
    }
  });
});

Deno.test("kv kickMember - a send remembered by another instance is refused after the kick", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-kvgov-" });
  const path = `${dir}/test.kv`;
  const a = await openKvStore(path);
  const b = await openKvStore(path);
  try {
    const { server, general } = await seed(a);
    const guest = crypto.randomUUID();
    await a.addMember(server.id, guest, tick());
    // b remembers the membership and the channel (its batch path checks them unread).
    await Promise.all(
      Array.from(
        { length: 10 },
        () => send(b, general.id, guest, null, server.id),
      ),
    );
    assert.equal(await a.kickMember(server.id, guest, null), true);
    const results = await Promise.allSettled(
      Array.from(
        { length: 10 },
        () => send(b, general.id, guest, null, server.id),
      ),
    );
    assert.ok(
      results.every((r) => r.status === "rejected" && r.reason instanceof NotAMemberError),
    );
    assert.equal(await b.lastSeq(general.id), 10);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kv putServerIcon - big icons in chunks; a replaced icon's chunks go", async () => {
  await withStore(async (store) => {
    const { server } = await seed(store);
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    await store.putServerIcon(server.id, {
      contentType: "image/png",
      bytes: big,
      version: "v1",
    }, null);
    assert.deepEqual((await store.findServerIcon(server.id))?.bytes, big);
    const small = new Uint8Array([1, 2, 3]);
    const updated = await store.putServerIcon(server.id, {
      contentType: "image/webp",
      bytes: small,
      version: "v2",
    }, null);
    assert.equal(updated?.iconVersion, "v2");
    assert.deepEqual(await store.findServerIcon(server.id), {
      contentType: "image/webp",
      bytes: small,
      version: "v2",
    });
    const chunks = [];
    for await (
      const e of store.kv.list({ prefix: ["server_icon_chunks", server.id] })
    ) chunks.push(e.key);
    assert.deepEqual(chunks, [["server_icon_chunks", server.id, "v2", 0]]);
    assert.equal(
      await store.putServerIcon(crypto.randomUUID(), {
        contentType: "x",
        bytes: small,
        version: "v3",
      }, null),
      null,
    );
  });
});

Deno.test("kv listAuditLog - filtered pages over a long log", async () => {
  await withStore(async (store) => {
    const { owner, server } = await seed(store);
    const ids: string[] = [];
    for (let i = 0; i < 700; i++) {
      const entry = auditEntry(tick().getTime(), {
        serverId: server.id,
        actorId: i % 100 === 0 ? "rare" : owner.id,
        action: i % 2 ? "role_update" : "channel_update",
        targetType: "role",
        targetId: "t",
      });
      await store.kv.set(["audit", server.id, entry.id], entry);
      ids.push(entry.id);
    }
    const rare = await store.listAuditLog(server.id, {
      limit: 5,
      actorId: "rare",
    });
    assert.equal(rare.length, 5);
    assert.deepEqual(
      rare.map((e) => e.id),
      [600, 500, 400, 300, 200].map((i) => ids[i]),
    );
    const next = await store.listAuditLog(server.id, {
      limit: 5,
      actorId: "rare",
      before: rare[4].id,
    });
    assert.deepEqual(next.map((e) => e.id), [100, 0].map((i) => ids[i]));
    const page = await store.listAuditLog(server.id, {
      limit: 3,
      before: ids[10],
    });
    assert.deepEqual(page.map((e) => e.id), [ids[9], ids[8], ids[7]]);
    const both = await store.listAuditLog(server.id, {
      limit: 2,
      action: "channel_update",
      actorId: "rare",
    });
    assert.deepEqual(both.map((e) => e.id), [ids[600], ids[500]]);
  });
});
