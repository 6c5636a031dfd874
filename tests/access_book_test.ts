/**
 * The per-instance book of permission snapshots (lib/permissions/access_book.ts) over real
 * stores: loads once, applies observed events, reloads a load that raced one, reloads all.
 */
import assert from "node:assert/strict";
import type { ChannelRecord, ServerRecord, Store, UserRecord } from "../db/store.ts";
import { toWireChannel, toWireRole } from "../lib/chat/shapes.ts";
import { AccessBook } from "../lib/permissions/access_book.ts";
import type { RoleRecord } from "../db/store.ts";
import { BACKENDS, storeTest } from "./helpers/backends.ts";
import type { TestStore } from "./helpers/backends.ts";
import { channelRecord } from "./helpers/records.ts";

function user(username: string): UserRecord {
  return {
    id: crypto.randomUUID(),
    username,
    displayName: username,
    bio: "",
    passwordHash: "$2a$04$hash",
    avatarVersion: null,
    createdAt: new Date(),
  };
}

function channel(serverId: string, name: string): ChannelRecord {
  return channelRecord(serverId, name, new Date());
}

/** A server owned by "owner", with #general and a member "mia". */
async function seed(store: Store) {
  const owner = user(`owner${crypto.randomUUID().slice(0, 8)}`);
  const mia = user(`mia${crypto.randomUUID().slice(0, 8)}`);
  await store.createUser(owner);
  await store.createUser(mia);
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: "Book",
    ownerId: owner.id,
    createdAt: new Date(),
    iconVersion: null,
  };
  const general = channel(server.id, "general");
  await store.createServer(server, general);
  await store.addMember(server.id, mia.id, new Date());
  return { owner, mia, server, general };
}

function role(serverId: string, name: string, position: number): RoleRecord {
  return {
    id: crypto.randomUUID(),
    serverId,
    name,
    color: null,
    position,
    permissions: ["view_channel", "manage_messages"],
    mentionable: false,
  };
}

/**
 * The store with its reads of roles counted and, while `hold` is set, kept from answering
 * until it is released (the read itself has happened: its answer is what the store had).
 */
function watched(store: Store) {
  const state = {
    roleReads: 0,
    hold: undefined as Promise<void> | undefined,
  };
  // The store's methods are frozen: the proxy stands on an empty object and forwards to it.
  const proxy = new Proxy({} as Store, {
    get(_, key) {
      if (key === "listRoles") {
        return async (serverId: string) => {
          state.roleReads++;
          const roles = await store.listRoles(serverId);
          if (state.hold) await state.hold;
          return roles;
        };
      }
      const value = Reflect.get(store, key);
      return typeof value === "function" ? value.bind(store) : value;
    },
  });
  return { store: proxy, state };
}

function held(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => release = resolve);
  return { promise, release };
}

function bookTest(name: string, fn: (t: TestStore) => Promise<void>): void {
  for (const backend of BACKENDS) storeTest(backend, `AccessBook - ${name} (${backend.name})`, fn);
}

bookTest("loads a server once, concurrent callers share the read", async (t) => {
  const { owner, mia, server, general } = await seed(t.store);
  const { store, state } = watched(t.store);
  const book = new AccessBook(store);
  assert.equal(book.peek(server.id), undefined);
  const [a, b] = await Promise.all([book.load(server.id), book.load(server.id)]);
  assert.ok(a);
  assert.equal(a, b);
  assert.equal(state.roleReads, 1);
  assert.equal(await book.load(server.id), a, "loaded: answered from memory");
  assert.equal(book.peek(server.id), a);
  assert.equal(state.roleReads, 1);
  assert.equal(a.server.ownerId, owner.id);
  assert.equal(a.isMember(mia.id), true);
  assert.equal(a.canView(mia.id, general.id), true);
  assert.deepEqual(a.roles().map((r) => r.name), ["@everyone"]);
  assert.equal(await book.load(crypto.randomUUID()), null, "no such server");
});

bookTest(
  "observe applies a server's events to its snapshot; a user's are not about it",
  async (t) => {
    const { mia, server, general } = await seed(t.store);
    const book = new AccessBook(t.store);
    const access = (await book.load(server.id))!;
    const overwrite = {
      channelId: general.id,
      targetId: mia.id,
      type: "member" as const,
      allow: [],
      deny: ["view_channel"],
    };
    await t.store.putOverwrite(overwrite, null);
    const hidden = toWireChannel(general, [overwrite]);
    assert.deepEqual(
      book.observe({
        target: { servers: [server.id] },
        event: { type: "channel_updated", channel: hidden },
      }),
      { serverId: server.id, affected: "all" },
    );
    assert.equal(access.canView(mia.id, general.id), false);
    assert.equal(
      book.observe({
        target: { servers: [server.id] },
        event: { type: "presence", userId: mia.id, status: "online" },
      }),
      null,
    );
    // A kicked user's `server_deleted` goes to them only: the server is still there.
    assert.equal(
      book.observe({
        target: { user: mia.id },
        event: { type: "server_deleted", serverId: server.id },
      }),
      null,
    );
    // The change is read again from the store (see the next test); it agrees.
    await book.settled();
    assert.equal(book.peek(server.id)?.canView(mia.id, general.id), false);
    // Not loaded: nothing to apply.
    assert.equal(
      book.observe({
        target: { servers: ["elsewhere"] },
        event: { type: "role_deleted", serverId: "elsewhere", roleId: "r" },
      }),
      null,
    );
    // The server deleted: dropped, and the next load reads the store (which has none).
    await t.store.deleteServer(server.id);
    book.observe({
      target: { servers: [server.id] },
      event: { type: "server_deleted", serverId: server.id },
    });
    assert.equal(book.peek(server.id), undefined);
    assert.equal(await book.load(server.id), null);
  },
);

bookTest("a load that raced an observed event reads again", async (t) => {
  const { server } = await seed(t.store);
  const { store, state } = watched(t.store);
  const book = new AccessBook(store);
  const gate = held();
  state.hold = gate.promise;
  const loading = book.load(server.id);
  // The first read has its roles (none but @everyone) and waits; meanwhile a role is created
  // and its event observed: the snapshot being read cannot have it.
  while (state.roleReads === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const mods = role(server.id, "mods", 1);
  await t.store.createRole(mods, null);
  assert.equal(
    book.observe({
      target: { servers: [server.id] },
      event: { type: "role_created", role: toWireRole(mods) },
    }),
    null,
    "nothing loaded to apply it to",
  );
  state.hold = undefined;
  gate.release();
  const access = (await loading)!;
  assert.equal(state.roleReads, 2, "read again");
  assert.equal(access.role(mods.id)?.name, "mods");
});

bookTest("reloadAll keeps each snapshot usable until its replacement is read", async (t) => {
  const first = await seed(t.store);
  const second = await seed(t.store);
  const { store, state } = watched(t.store);
  const book = new AccessBook(store);
  const before = (await book.load(first.server.id))!;
  await book.load(second.server.id);
  // Changes the bus never told this instance about.
  const mods = role(first.server.id, "mods", 1);
  await t.store.createRole(mods, null);
  await t.store.setMemberRole(first.server.id, first.mia.id, mods.id, true, null);
  await t.store.deleteServer(second.server.id);

  const gate = held();
  state.hold = gate.promise;
  const reloading = book.reloadAll();
  assert.equal(book.peek(first.server.id), before, "the old one answers meanwhile");
  assert.equal(before.isMember(first.mia.id), true);
  state.hold = undefined;
  gate.release();
  await reloading;
  const after = book.peek(first.server.id)!;
  assert.notEqual(after, before);
  assert.deepEqual(after.member(first.mia.id)?.roleIds, [mods.id]);
  assert.equal(after.highestPosition(first.mia.id), 1);
  assert.equal(book.peek(second.server.id), undefined, "a server that is gone is dropped");
});

bookTest(
  "a change event is followed by a re-read: an older state from the bus cannot win",
  async (t) => {
    const { mia, server, general } = await seed(t.store);
    const book = new AccessBook(t.store);
    await book.load(server.id);
    // The store has the deny (the latest change, made on another instance)…
    const deny = {
      channelId: general.id,
      targetId: mia.id,
      type: "member" as const,
      allow: [],
      deny: ["view_channel"],
    };
    await t.store.putOverwrite(deny, null);
    // …and the bus brings an older state of the channel last (a rename made before it).
    book.observe({
      target: { servers: [server.id] },
      event: { type: "channel_updated", channel: toWireChannel({ ...general, topic: "old" }) },
    });
    assert.equal(book.peek(server.id)?.canView(mia.id, general.id), true, "applied at once");
    await book.settled();
    assert.equal(book.peek(server.id)?.canView(mia.id, general.id), false, "the store's truth");
    await book.close();
  },
);

bookTest("sweep forgets the servers not kept; the next load reads the store", async (t) => {
  const first = await seed(t.store);
  const second = await seed(t.store);
  const { store, state } = watched(t.store);
  const book = new AccessBook(store);
  const kept = (await book.load(first.server.id))!;
  await book.load(second.server.id);
  assert.equal(book.sweep((serverId) => serverId === first.server.id), 1);
  assert.equal(book.peek(first.server.id), kept, "a kept one stays as it is");
  assert.equal(book.peek(second.server.id), undefined);
  const reads = state.roleReads;
  const again = await book.load(second.server.id);
  assert.equal(again?.isMember(second.mia.id), true);
  assert.equal(state.roleReads, reads + 1, "read again from the store");
});
