/**
 * The store contract: the same cases for every backend (run by kv_store_test.ts and
 * postgres_store_test.ts), so Deno KV and PostgreSQL behave the same to the services above.
 */
import assert from "node:assert/strict";
import { v7 as uuidv7 } from "uuid";
import type {
  ChannelRecord,
  InviteRecord,
  MessageRecord,
  ServerRecord,
  SessionRecord,
  Store,
  UserRecord,
} from "../db/store.ts";
import {
  ChannelNameTakenError,
  NotAMemberError,
  OwnsServersError,
  UsernameTakenError,
} from "../db/store.ts";
import { StoreUnavailable } from "../db/unavailable.ts";
import { type Backend, storeTest, type TestStore } from "./helpers/backends.ts";
import { twoFactorContract } from "./two_factor_contract.ts";
import { channelRecord } from "./helpers/records.ts";

function newUser(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: crypto.randomUUID(),
    username,
    displayName: username.toUpperCase(),
    bio: "",
    passwordHash: "$2a$04$hash",
    avatarVersion: null,
    createdAt: new Date("2026-01-02T03:04:05.678Z"),
    ...overrides,
  };
}

/** A session of `userId` that lasts a minute from now. */
function session(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    userId,
    createdAt: new Date(now),
    expiresAt: new Date(now + 60_000),
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140",
    lastSeenAt: new Date(now),
    ...overrides,
  };
}

let clock = Date.parse("2026-01-01T00:00:00.000Z");
/** Strictly increasing times, so "oldest first" orders are deterministic. */
function tick(): Date {
  return new Date(clock += 1000);
}

function channel(serverId: string, name: string): ChannelRecord {
  return channelRecord(serverId, name, tick());
}

/** A user who owns a server with a `general` channel. */
async function seedServer(store: Store, username = "owner") {
  const owner = newUser(username);
  await store.createUser(owner);
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: "Test server",
    ownerId: owner.id,
    createdAt: tick(),
    iconVersion: null,
  };
  const general = channel(server.id, "general");
  await store.createServer(server, general);
  return { owner, server, general };
}

function send(
  store: Store,
  channelId: string,
  authorId: string,
  content: string,
  nonce: string | null = null,
) {
  return store.appendMessage({
    id: crypto.randomUUID(),
    channelId,
    authorId,
    content,
    createdAt: new Date(),
    nonce,
    replyToId: null,
    mentions: { users: [], everyone: false },
  });
}

/** Registers the contract's tests for one backend. */
export function storeContract(backend: Backend): void {
  twoFactorContract(backend);
  const contract = (name: string, fn: (t: TestStore) => Promise<void>) =>
    storeTest(backend, `store contract (${backend.name}) - ${name}`, fn);

  contract("createUser then find by id and by username", async ({ store }) => {
    const user = newUser("alice");
    await store.createUser(user);
    assert.deepEqual(await store.findUserById(user.id), user);
    assert.deepEqual(await store.findUserByUsername("alice"), user);
    assert.equal(await store.findUserById(crypto.randomUUID()), null);
    assert.equal(await store.findUserByUsername("nobody"), null);
  });

  contract("createUser refuses a taken username", async ({ store }) => {
    await store.createUser(newUser("bob"));
    await assert.rejects(store.createUser(newUser("bob")), UsernameTakenError);
  });

  contract("concurrent registrations of one username: exactly one wins", async ({ store }) => {
    const attempts = Array.from({ length: 20 }, () => store.createUser(newUser("racer")));
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    assert.equal(won.length, 1);
    for (const result of lost) {
      assert.ok((result as PromiseRejectedResult).reason instanceof UsernameTakenError);
    }
    assert.ok(await store.findUserByUsername("racer"));
  });

  contract("updateProfile changes only the given fields", async ({ store }) => {
    const user = newUser("carol", { bio: "old bio" });
    await store.createUser(user);
    const renamed = await store.updateProfile(user.id, { displayName: "Carol C." });
    assert.equal(renamed?.displayName, "Carol C.");
    assert.equal(renamed?.bio, "old bio");
    const rebio = await store.updateProfile(user.id, { displayName: undefined, bio: "" });
    assert.equal(rebio?.displayName, "Carol C.");
    assert.equal(rebio?.bio, "");
    assert.deepEqual(await store.findUserById(user.id), rebio);
    assert.equal(await store.updateProfile(crypto.randomUUID(), { bio: "x" }), null);
  });

  contract(
    "putAvatar stores large images whole and replaces the previous one",
    async ({ store }) => {
      const user = newUser("dave");
      await store.createUser(user);
      assert.equal(await store.findAvatar(user.id), null);
      // Over KV's 64 KiB value limit, and not a multiple of any chunk size.
      const bytes = new Uint8Array(1024 * 1024 - 7);
      // getRandomValues fills at most 64 KiB per call.
      for (let i = 0; i < bytes.length; i += 65_536) {
        crypto.getRandomValues(bytes.subarray(i, i + 65_536));
      }
      const updated = await store.putAvatar(user.id, {
        contentType: "image/png",
        bytes,
        version: "v1",
      });
      assert.equal(updated?.avatarVersion, "v1");
      const first = await store.findAvatar(user.id);
      assert.equal(first?.contentType, "image/png");
      assert.equal(first?.version, "v1");
      assert.deepEqual(first?.bytes, bytes);

      const small = new Uint8Array([1, 2, 3]);
      await store.putAvatar(user.id, { contentType: "image/gif", bytes: small, version: "v2" });
      const second = await store.findAvatar(user.id);
      assert.deepEqual(second, { contentType: "image/gif", bytes: small, version: "v2" });
      assert.equal((await store.findUserById(user.id))?.avatarVersion, "v2");
    },
  );

  contract("putAvatar for an unknown user stores nothing", async ({ store }) => {
    const id = crypto.randomUUID();
    const result = await store.putAvatar(id, {
      contentType: "image/png",
      bytes: new Uint8Array([1]),
      version: "v1",
    });
    assert.equal(result, null);
    assert.equal(await store.findAvatar(id), null);
  });

  contract("sessions: create, find, delete, expire", async ({ store }) => {
    const user = newUser("erin");
    await store.createUser(user);
    const live = session(user.id);
    await store.createSession(live);
    assert.deepEqual(await store.findSession(live.id), live);
    await store.deleteSession(live.id);
    assert.equal(await store.findSession(live.id), null);

    const expired = session(user.id, { expiresAt: new Date(Date.now() - 1000) });
    await store.createSession(expired);
    assert.equal(await store.findSession(expired.id), null);
    assert.deepEqual(await store.listSessionsOf(user.id), []);
  });

  contract("listSessionsOf: a user's live sessions, oldest first", async ({ store }) => {
    const [alice, bob] = [newUser("alice"), newUser("bob")];
    await store.createUser(alice);
    await store.createUser(bob);
    const second = session(alice.id, { createdAt: tick(), userAgent: "Firefox" });
    const first = session(alice.id, { createdAt: new Date(second.createdAt.getTime() - 5000) });
    const bobs = session(bob.id);
    const gone = session(alice.id);
    for (const s of [second, first, bobs, gone]) await store.createSession(s);
    await store.deleteSession(gone.id);
    assert.deepEqual(await store.listSessionsOf(alice.id), [first, second]);
    assert.deepEqual(await store.listSessionsOf(bob.id), [bobs]);
    assert.deepEqual(await store.listSessionsOf(crypto.randomUUID()), []);
  });

  contract("touchSession moves lastSeenAt and never revives a deleted session", async ({
    store,
  }) => {
    const user = newUser("frank");
    await store.createUser(user);
    const live = session(user.id);
    await store.createSession(live);
    const seen = new Date(live.lastSeenAt.getTime() + 90_000);
    await store.touchSession(live.id, seen);
    assert.deepEqual(await store.findSession(live.id), { ...live, lastSeenAt: seen });
    assert.deepEqual(await store.listSessionsOf(user.id), [{ ...live, lastSeenAt: seen }]);

    await store.deleteSession(live.id);
    await store.touchSession(live.id, new Date());
    assert.equal(await store.findSession(live.id), null);
    assert.deepEqual(await store.listSessionsOf(user.id), []);
  });

  contract("deleteSessionsOf deletes all of a user's sessions but one", async ({ store }) => {
    const [alice, bob] = [newUser("alice"), newUser("bob")];
    await store.createUser(alice);
    await store.createUser(bob);
    const [kept, other, another] = [session(alice.id), session(alice.id), session(alice.id)];
    const bobs = session(bob.id);
    for (const s of [kept, other, another, bobs]) await store.createSession(s);

    const deleted = await store.deleteSessionsOf(alice.id, kept.id);
    assert.deepEqual(deleted.toSorted(), [other.id, another.id].toSorted());
    assert.deepEqual(await store.listSessionsOf(alice.id), [kept]);
    assert.equal(await store.findSession(other.id), null);
    assert.equal(await store.findSession(another.id), null);
    assert.deepEqual(await store.findSession(bobs.id), bobs);

    assert.deepEqual(await store.deleteSessionsOf(alice.id), [kept.id]);
    assert.deepEqual(await store.listSessionsOf(alice.id), []);
    assert.deepEqual(await store.deleteSessionsOf(alice.id), []);
  });

  contract(
    "deleteSessionsOf - returns only the sessions that had not expired",
    async ({ store }) => {
      const user = newUser("grace");
      await store.createUser(user);
      const live = session(user.id);
      const expired = session(user.id, { expiresAt: new Date(Date.now() - 1000) });
      for (const s of [live, expired]) await store.createSession(s);

      // Revoking an already expired session would announce a logout nobody is logged in for.
      assert.deepEqual(await store.deleteSessionsOf(user.id), [live.id]);
      assert.deepEqual(await store.listSessionsOf(user.id), []);
      assert.deepEqual(await store.deleteSessionsOf(user.id), []);
    },
  );

  contract(
    "deleteUser removes the account, sessions, avatar, memberships; messages stay",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const leaver = newUser("leaver");
      await store.createUser(leaver);
      await store.addMember(server.id, leaver.id, tick());
      const { message } = await send(store, general.id, leaver.id, "still here");
      await store.setReadMarker(leaver.id, general.id, 1);
      await store.putAvatar(leaver.id, {
        contentType: "image/png",
        bytes: new Uint8Array([1, 2, 3]),
        version: "v1",
      });
      const live = session(leaver.id);
      await store.createSession(live);

      assert.equal(await store.deleteUser(leaver.id), true);
      assert.equal(await store.findUserById(leaver.id), null);
      assert.equal(await store.findUserByUsername("leaver"), null);
      assert.equal(await store.findSession(live.id), null);
      assert.deepEqual(await store.listSessionsOf(leaver.id), []);
      assert.equal(await store.findAvatar(leaver.id), null);
      assert.equal(await store.isMember(server.id, leaver.id), false);
      assert.deepEqual(await store.listMemberIds(server.id), [owner.id]);
      assert.deepEqual(await store.listServersOf(leaver.id), []);
      assert.deepEqual(await store.readMarkers(leaver.id), new Map());
      assert.deepEqual(await store.findMessage(message.id), message);
      assert.equal(await store.deleteUser(leaver.id), false);

      // The name is free again, for a new and different account.
      await store.createUser(newUser("leaver"));
    },
  );

  contract("deleteUser refuses a server's owner", async ({ store }) => {
    const { owner } = await seedServer(store);
    await assert.rejects(store.deleteUser(owner.id), OwnsServersError);
    assert.deepEqual(await store.findUserById(owner.id), owner);
  });

  contract("setPasswordHash replaces only the hash", async ({ store }) => {
    const user = newUser("grace");
    await store.createUser(user);
    const updated = await store.setPasswordHash(user.id, "$2a$04$other");
    assert.deepEqual(updated, { ...user, passwordHash: "$2a$04$other" });
    assert.deepEqual(await store.findUserById(user.id), updated);
    assert.equal(await store.setPasswordHash(crypto.randomUUID(), "$2a$04$x"), null);
  });

  contract("getOrCreateSetting keeps the first value, even under races", async ({ store }) => {
    const values = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.getOrCreateSetting("secret", `value-${i}`)),
    );
    assert.equal(new Set(values).size, 1);
    assert.equal(await store.getOrCreateSetting("secret", "later"), values[0]);
  });

  contract(
    "createServer: owner is a member, general exists, listed for the owner",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      assert.deepEqual(await store.findServer(server.id), server);
      assert.equal(await store.findServer(crypto.randomUUID()), null);
      assert.ok(await store.isMember(server.id, owner.id));
      assert.deepEqual(await store.listMemberIds(server.id), [owner.id]);
      assert.deepEqual(await store.listChannels(server.id), [general]);
      assert.deepEqual(await store.findChannel(general.id), general);
      assert.deepEqual(await store.listServersOf(owner.id), [server]);
      assert.equal(await store.lastSeq(general.id), 0);
    },
  );

  contract("members: add once, list oldest first, remove", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const guest = newUser("guest");
    await store.createUser(guest);
    assert.equal(await store.isMember(server.id, guest.id), false);
    assert.equal(await store.addMember(server.id, guest.id, tick()), true);
    assert.equal(await store.addMember(server.id, guest.id, tick()), false, "already a member");
    assert.deepEqual(await store.listMemberIds(server.id), [owner.id, guest.id]);
    assert.deepEqual((await store.listServersOf(guest.id)).map((s) => s.id), [server.id]);
    assert.equal(await store.removeMember(server.id, guest.id), true);
    assert.equal(await store.removeMember(server.id, guest.id), false);
    assert.equal(await store.isMember(server.id, guest.id), false);
    assert.deepEqual(await store.listServersOf(guest.id), []);
  });

  contract("channels: names unique per server, listed oldest first", async ({ store }) => {
    const { server, general } = await seedServer(store);
    const random = channel(server.id, "random");
    await store.createChannel(random);
    await assert.rejects(store.createChannel(channel(server.id, "random")), ChannelNameTakenError);
    assert.deepEqual(await store.listChannels(server.id), [general, random]);
    const other = await seedServer(store, "other.owner");
    await store.createChannel(channel(other.server.id, "random"));
  });

  contract("invites: stored and found by code", async ({ store }) => {
    const { owner, server } = await seedServer(store);
    const invite: InviteRecord = {
      code: "abcDEF123",
      serverId: server.id,
      createdBy: owner.id,
      createdAt: tick(),
      expiresAt: null,
      maxUses: 0,
      uses: 0,
    };
    await store.createInvite(invite);
    assert.deepEqual(await store.findInvite("abcDEF123"), invite);
    assert.equal(await store.findInvite("ABCdef123"), null, "codes are case-sensitive");
  });

  contract("appendMessage: seq 1, 2, 3 per channel", async ({ store }) => {
    const { owner, server, general } = await seedServer(store);
    const random = channel(server.id, "random");
    await store.createChannel(random);
    const seqs = [];
    for (const text of ["one", "two", "three"]) {
      seqs.push((await send(store, general.id, owner.id, text)).message.seq);
    }
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.equal((await send(store, random.id, owner.id, "elsewhere")).message.seq, 1);
    assert.equal(await store.lastSeq(general.id), 3);
    const { message } = await send(store, general.id, owner.id, "four", "n-4");
    assert.deepEqual(await store.findMessage(message.id), message);
    assert.equal(message.editedAt, null);
    assert.equal(message.nonce, "n-4");
  });

  contract("appendMessage: concurrent senders get every seq exactly once", async ({ store }) => {
    const { owner, server, general } = await seedServer(store);
    const others = await Promise.all(["s1", "s2", "s3", "s4"].map(async (name) => {
      const user = newUser(name);
      await store.createUser(user);
      await store.addMember(server.id, user.id, tick());
      return user;
    }));
    const senders = [owner, ...others];
    const results = await Promise.all(
      Array.from(
        { length: 60 },
        (_, i) => send(store, general.id, senders[i % 5].id, `m${i}`, `n${i}`),
      ),
    );
    const seqs = results.map((r) => r.message.seq).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 60 }, (_, i) => i + 1));
    const history = await store.listMessages(general.id, { limit: 100 });
    assert.deepEqual(history.map((m) => m.seq), seqs);
    assert.equal(new Set(history.map((m) => m.content)).size, 60);
  });

  contract(
    "appendMessage: sends that arrive together (one group commit) settle one by one",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const random = channel(server.id, "random");
      await store.createChannel(random);
      const stranger = newUser("stranger");
      await store.createUser(stranger);
      const earlier = await send(store, general.id, owner.id, "earlier", "resent");
      const member = (channelId: string, content: string, nonce: string | null = null) =>
        store.appendMessage({
          id: crypto.randomUUID(),
          channelId,
          authorId: owner.id,
          content,
          createdAt: new Date(),
          nonce,
          replyToId: null,
          mentions: { users: [], everyone: false },
        }, server.id);
      // Submitted in one tick: the stores take them as one batch where they batch.
      const [a, b, resent, strange, c, d] = await Promise.allSettled([
        member(general.id, "a"),
        member(random.id, "b"),
        member(general.id, "earlier again", "resent"),
        store.appendMessage({
          id: crypto.randomUUID(),
          channelId: general.id,
          authorId: stranger.id,
          content: "not mine to say",
          createdAt: new Date(),
          nonce: null,
          replyToId: null,
          mentions: { users: [], everyone: false },
        }, server.id),
        member(general.id, "c"),
        member(random.id, "d"),
      ]);
      const value = <T>(r: PromiseSettledResult<T>) => {
        assert.equal(r.status, "fulfilled");
        return (r as PromiseFulfilledResult<T>).value;
      };
      assert.equal(strange.status, "rejected");
      assert.ok((strange as PromiseRejectedResult).reason instanceof NotAMemberError);
      assert.deepEqual(value(resent), { message: earlier.message, created: false });
      // Arrival order within a channel, consecutive seqs, nothing skipped.
      assert.deepEqual([value(a).message.seq, value(c).message.seq], [2, 3]);
      assert.deepEqual([value(b).message.seq, value(d).message.seq], [1, 2]);
      assert.deepEqual(
        (await store.listMessages(general.id, { limit: 10 })).map((m) => m.content),
        ["earlier", "a", "c"],
      );
      assert.equal(await store.lastSeq(random.id), 2);
    },
  );

  contract(
    "appendMessage: the same nonce from the same author is stored once",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const first = await send(store, general.id, owner.id, "hello", "nonce-1");
      const again = await send(store, general.id, owner.id, "hello", "nonce-1");
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.deepEqual(again.message, first.message);
      const racing = await Promise.all(
        Array.from({ length: 10 }, () => send(store, general.id, owner.id, "race", "nonce-2")),
      );
      assert.equal(racing.filter((r) => r.created).length, 1);
      assert.equal(new Set(racing.map((r) => r.message.id)).size, 1);
      const other = newUser("other");
      await store.createUser(other);
      await store.addMember(server.id, other.id, tick());
      assert.equal((await send(store, general.id, other.id, "mine", "nonce-1")).created, true);
      assert.deepEqual((await store.listMessages(general.id, { limit: 10 })).map((m) => m.seq), [
        1,
        2,
        3,
      ]);
    },
  );

  contract(
    "appendMessage with memberOf: members only, checked in the same commit",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const stranger = newUser("stranger");
      await store.createUser(stranger);
      const attempt = () =>
        store.appendMessage({
          id: crypto.randomUUID(),
          channelId: general.id,
          authorId: stranger.id,
          content: "let me in",
          createdAt: new Date(),
          nonce: "s1",
          replyToId: null,
          mentions: { users: [], everyone: false },
        }, server.id);
      await assert.rejects(attempt(), NotAMemberError);
      assert.equal(await store.lastSeq(general.id), 0, "no seq was used up");
      await store.addMember(server.id, stranger.id, tick());
      assert.equal((await attempt()).message.seq, 1);
      await store.removeMember(server.id, stranger.id);
      await assert.rejects(
        store.appendMessage({
          id: crypto.randomUUID(),
          channelId: general.id,
          authorId: stranger.id,
          content: "after leaving",
          createdAt: new Date(),
          nonce: "s2",
          replyToId: null,
          mentions: { users: [], everyone: false },
        }, server.id),
        NotAMemberError,
      );
      const owners = await store.appendMessage({
        id: crypto.randomUUID(),
        channelId: general.id,
        authorId: owner.id,
        content: "hi",
        createdAt: new Date(),
        nonce: null,
        replyToId: null,
        mentions: { users: [], everyone: false },
      }, server.id);
      assert.equal(owners.message.seq, 2);
    },
  );

  contract(
    "appendMessage: instances sharing the data see each other's sends and membership changes",
    async (opened) => {
      const { store } = opened;
      const { owner, server, general } = await seedServer(store);
      const guest = newUser("guest");
      await store.createUser(guest);
      await store.addMember(server.id, guest.id, tick());
      const other = await opened.openAnother();
      const sendAs = (instance: Store, authorId: string, content: string) =>
        instance.appendMessage({
          id: crypto.randomUUID(),
          channelId: general.id,
          authorId,
          content,
          createdAt: new Date(),
          nonce: null,
          replyToId: null,
          mentions: { users: [], everyone: false },
        }, server.id);
      // In turn: each instance must start from the counter the other one moved.
      const seqs: number[] = [];
      for (let i = 0; i < 3; i++) {
        seqs.push((await sendAs(store, owner.id, `a${i}`)).message.seq);
        seqs.push((await sendAs(other, owner.id, `b${i}`)).message.seq);
      }
      assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
      // At once, from both.
      const together = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sendAs(i % 2 ? store : other, owner.id, `c${i}`)),
      );
      assert.deepEqual(
        together.map((r) => r.message.seq).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 7),
      );
      // A member who just sent through one instance leaves through the other.
      await sendAs(other, guest.id, "before leaving");
      await store.removeMember(server.id, guest.id);
      await assert.rejects(sendAs(other, guest.id, "after leaving"), NotAMemberError);
      await store.addMember(server.id, guest.id, tick());
      assert.equal((await sendAs(other, guest.id, "back")).message.seq, 28);
      // Refused while not a member, then a member through the other instance: sends go through.
      const late = newUser("late");
      await store.createUser(late);
      await assert.rejects(sendAs(other, late.id, "too early"), NotAMemberError);
      await store.addMember(server.id, late.id, tick());
      const sent = await Promise.all([1, 2, 3].map((i) => sendAs(other, late.id, `late ${i}`)));
      assert.deepEqual(sent.map((r) => r.message.seq).sort((a, b) => a - b), [29, 30, 31]);
      const history = await store.listMessages(general.id, { limit: 100 });
      assert.deepEqual(history.map((m) => m.seq), Array.from({ length: 31 }, (_, i) => i + 1));
    },
  );

  contract("listMessages: before, after and limit, always ascending", async ({ store }) => {
    const { owner, general } = await seedServer(store);
    for (let i = 1; i <= 10; i++) await send(store, general.id, owner.id, `m${i}`);
    const seqs = async (query: { before?: number; after?: number; limit: number }) =>
      (await store.listMessages(general.id, query)).map((m) => m.seq);
    assert.deepEqual(await seqs({ limit: 3 }), [8, 9, 10], "latest page by default");
    assert.deepEqual(await seqs({ before: 5, limit: 3 }), [2, 3, 4]);
    assert.deepEqual(await seqs({ before: 3, limit: 10 }), [1, 2]);
    assert.deepEqual(await seqs({ after: 7, limit: 10 }), [8, 9, 10]);
    assert.deepEqual(await seqs({ after: 2, limit: 3 }), [3, 4, 5], "oldest first after a cursor");
    assert.deepEqual(await seqs({ after: 2, before: 6, limit: 10 }), [3, 4, 5]);
    assert.deepEqual(await seqs({ after: 10, limit: 10 }), []);
    // Past PostgreSQL's integer range: nothing there, not "integer out of range".
    assert.deepEqual(await seqs({ after: 2 ** 31, limit: 10 }), []);
    assert.deepEqual(await seqs({ after: Number.MAX_SAFE_INTEGER, limit: 10 }), []);
    assert.deepEqual(await seqs({ before: 2 ** 40, limit: 2 }), [9, 10]);
    assert.deepEqual(await seqs({ after: 5, before: 3, limit: 10 }), [], "an empty range");
    assert.deepEqual(await seqs({ after: 5, before: 6, limit: 10 }), []);
  });

  contract(
    "appendMessage: a nonce used in another server does not get a non-member in",
    async ({ store }) => {
      const { server, general } = await seedServer(store);
      const other = await seedServer(store, "stranger");
      const { message } = await send(store, other.general.id, other.owner.id, "mine", "reused");
      assert.equal(message.channelId, other.general.id);
      await assert.rejects(
        store.appendMessage({
          id: crypto.randomUUID(),
          channelId: general.id,
          authorId: other.owner.id,
          content: "sneaking in",
          createdAt: new Date(),
          nonce: "reused",
          replyToId: null,
          mentions: { users: [], everyone: false },
        }, server.id),
        NotAMemberError,
      );
      assert.equal((await store.listMessages(general.id, { limit: 10 })).length, 0);
    },
  );

  contract("editMessage and deleteMessage", async ({ store }) => {
    const { owner, general } = await seedServer(store);
    const { message } = await send(store, general.id, owner.id, "typo", "n1");
    const editedAt = new Date("2026-02-02T02:02:02.000Z");
    const edited = await store.editMessage(message.id, "fixed", editedAt);
    assert.deepEqual(edited, { ...message, content: "fixed", editedAt });
    assert.deepEqual(await store.findMessage(message.id), edited);
    assert.equal(await store.editMessage(crypto.randomUUID(), "x", editedAt), null);
    assert.equal(await store.deleteMessage(message.id), true);
    assert.equal(await store.deleteMessage(message.id), false);
    assert.equal(await store.findMessage(message.id), null);
    assert.deepEqual(await store.listMessages(general.id, { limit: 10 }), []);
    const next = await send(store, general.id, owner.id, "after", "n2");
    assert.equal(next.message.seq, 2, "seq never reuses a deleted number");
  });

  contract(
    "listMessagesByAuthor: one user's messages across channels, by id, page by page",
    async ({
      store,
    }) => {
      const { owner, server, general } = await seedServer(store);
      const random = channel(server.id, "random");
      await store.createChannel(random);
      const other = await seedServer(store, "other");
      await store.addMember(other.server.id, owner.id, tick());
      const bystander = newUser("bystander");
      await store.createUser(bystander);
      await store.addMember(server.id, bystander.id, tick());
      const sendAs = (authorId: string, channelId: string, content: string, nonce: string | null) =>
        store.appendMessage({
          id: uuidv7(),
          channelId,
          authorId,
          content,
          createdAt: new Date(),
          nonce,
          replyToId: null,
          mentions: { users: [], everyone: false },
        });
      // Alone, then many at once (group commits), some with a repeated nonce (settled one by
      // one): every append path writes the index.
      const alone = await sendAs(owner.id, general.id, "alone", null);
      const together = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          sendAs(
            i % 3 === 0 ? bystander.id : owner.id,
            [general.id, random.id, other.general.id][i % 3],
            `together ${i}`,
            // Every sixth repeats the nonce before it (same author): a group holding both is
            // settled one by one.
            i % 6 === 5 ? `n${i - 1}` : `n${i}`,
          )),
      );
      const repeated = await Promise.all([
        sendAs(owner.id, random.id, "first try", "same"),
        sendAs(owner.id, random.id, "second try", "same"),
      ]);
      assert.equal(repeated.filter((r) => r.created).length, 1);
      const stored = [alone, ...together, ...repeated]
        .filter((r) => r.created && r.message.authorId === owner.id)
        .map((r) => r.message)
        .sort((a, b) => (a.id < b.id ? -1 : 1));

      const pages: MessageRecord[][] = [];
      let afterId: string | undefined;
      do {
        pages.push(await store.listMessagesByAuthor(owner.id, { afterId, limit: 4 }));
        afterId = pages.at(-1)!.at(-1)?.id;
      } while (pages.at(-1)!.length === 4);
      assert.ok(pages.slice(0, -1).every((page) => page.length === 4));
      assert.deepEqual(pages.flat(), stored);
      assert.deepEqual(
        (await store.listMessagesByAuthor(bystander.id, { limit: 100 })).map((m) => m.content),
        together.filter((r) => r.message.authorId === bystander.id).map((r) => r.message.content),
      );
      assert.deepEqual(await store.listMessagesByAuthor(crypto.randomUUID(), { limit: 10 }), []);
    },
  );

  contract("listMessagesByAuthor: deleted messages are gone, edited ones read edited", async ({
    store,
  }) => {
    const { owner, general } = await seedServer(store);
    const sent = [];
    for (const text of ["one", "two", "three"]) {
      sent.push(
        (await store.appendMessage({
          id: uuidv7(),
          channelId: general.id,
          authorId: owner.id,
          content: text,
          createdAt: new Date(),
          nonce: text,
          replyToId: null,
          mentions: { users: [], everyone: false },
        })).message,
      );
    }
    assert.equal(await store.deleteMessage(sent[1].id), true);
    const editedAt = new Date("2026-02-02T02:02:02.000Z");
    const edited = await store.editMessage(sent[2].id, "three, fixed", editedAt);
    assert.deepEqual(await store.listMessagesByAuthor(owner.id, { limit: 10 }), [sent[0], edited]);
    assert.deepEqual(
      await store.listMessagesByAuthor(owner.id, { afterId: sent[0].id, limit: 10 }),
      [edited],
    );
  });

  contract("listMembershipsOf: the user's servers with their join times, oldest first", async ({
    store,
  }) => {
    const first = await seedServer(store, "first");
    const second = await seedServer(store, "second");
    const third = await seedServer(store, "third");
    const joinedSecond = tick();
    const joinedThird = tick();
    await store.addMember(third.server.id, first.owner.id, joinedThird);
    await store.addMember(second.server.id, first.owner.id, joinedSecond);
    assert.deepEqual(await store.listMembershipsOf(first.owner.id), [
      { server: first.server, joinedAt: first.server.createdAt },
      { server: second.server, joinedAt: joinedSecond },
      { server: third.server, joinedAt: joinedThird },
    ]);
    await store.removeMember(second.server.id, first.owner.id);
    assert.deepEqual(
      (await store.listMembershipsOf(first.owner.id)).map((m) => m.server.id),
      [first.server.id, third.server.id],
    );
    assert.deepEqual(await store.listMembershipsOf(crypto.randomUUID()), []);
  });

  contract("read markers only move forward", async ({ store }) => {
    const { owner, server, general } = await seedServer(store);
    const random = channel(server.id, "random");
    await store.createChannel(random);
    assert.deepEqual(await store.readMarkers(owner.id), new Map());
    assert.equal(await store.setReadMarker(owner.id, general.id, 5), 5);
    assert.equal(await store.setReadMarker(owner.id, general.id, 3), 5);
    assert.equal(await store.setReadMarker(owner.id, random.id, 1), 1);
    assert.deepEqual(await store.readMarkers(owner.id), new Map([[general.id, 5], [random.id, 1]]));
  });

  contract("findUsersByIds skips unknown ids", async ({ store }) => {
    const a = newUser("aaa");
    const b = newUser("bbb");
    await store.createUser(a);
    await store.createUser(b);
    const found = await store.findUsersByIds([b.id, crypto.randomUUID(), a.id]);
    assert.deepEqual(found.map((u) => u.username).sort(), ["aaa", "bbb"]);
    assert.deepEqual(await store.findUsersByIds([]), []);
  });

  contract("text round-trips exactly (Unicode, quotes, newlines)", async ({ store }) => {
    const user = newUser("frank", { displayName: "Ünïcødé 🎉 'quoted' \"double\"" });
    await store.createUser(user);
    const bio = "line one\nline two — ✓ <b>not html</b>";
    const updated = await store.updateProfile(user.id, { bio });
    assert.equal(updated?.bio, bio);
    assert.equal((await store.findUserById(user.id))?.displayName, user.displayName);
  });

  contract(
    "channelStates: member servers in the order asked, channels with seqs",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store, "stater");
      const random = channel(server.id, "random");
      await store.createChannel(random);
      const other = await seedServer(store, "elsewhere");
      await store.addMember(other.server.id, owner.id, tick());
      const foreign = await seedServer(store, "stranger");
      for (const content of ["a", "b", "c"]) await send(store, general.id, owner.id, content);
      await send(store, random.id, owner.id, "d");
      await store.setReadMarker(owner.id, general.id, 2);

      const states = await store.channelStates(owner.id, [
        other.server.id,
        foreign.server.id,
        crypto.randomUUID(),
        server.id,
        other.server.id,
      ]);
      assert.deepEqual(states, [
        {
          server: other.server,
          channels: [{ channel: other.general, lastSeq: 0, readSeq: 0 }],
        },
        {
          server,
          channels: [
            { channel: general, lastSeq: 3, readSeq: 2 },
            { channel: random, lastSeq: 1, readSeq: 0 },
          ],
        },
      ]);
      assert.deepEqual(await store.channelStates(owner.id, []), []);
      assert.deepEqual(await store.channelStates(foreign.owner.id, [server.id]), []);
    },
  );

  contract("channelStates: a server's many channels in one answer", async ({ store }) => {
    const { owner, server, general } = await seedServer(store, "many");
    const channels = [general];
    for (let i = 0; i < 25; i++) {
      const created = channel(server.id, `c${i}`);
      await store.createChannel(created);
      channels.push(created);
    }
    await send(store, channels[24].id, owner.id, "late");
    const [state] = await store.channelStates(owner.id, [server.id]);
    assert.deepEqual(state.channels.map((c) => c.channel.id), channels.map((c) => c.id));
    assert.deepEqual(
      state.channels.map((c) => c.lastSeq),
      channels.map((_, i) => i === 24 ? 1 : 0),
    );
  });

  contract("listUsers pages in byte order of usernames", async ({ store }) => {
    // A locale's order would put "bcd" before "b.z" (it skips the dot).
    const names = ["zed", "b.z", "bcd", "a-z", "b_z"];
    for (const name of names) await store.createUser(newUser(name));
    const sorted = [...names].sort();
    const all = await store.listUsers(undefined, 10);
    assert.deepEqual(all.map((user) => user.username), sorted);
    const first = await store.listUsers(undefined, 2);
    assert.deepEqual(first.map((user) => user.username), sorted.slice(0, 2));
    const next = await store.listUsers(first[1].username, 2);
    assert.deepEqual(next.map((user) => user.username), sorted.slice(2, 4));
    assert.deepEqual(await store.listUsers(sorted[4], 2), []);
    assert.deepEqual(await store.findUserById(all[0].id), all[0]);
  });

  contract("setSuspended and setEmail change only their field", async ({ store }) => {
    const user = newUser("suspect");
    await store.createUser(user);
    assert.deepEqual(await store.setSuspended(user.id, true), { ...user, suspended: true });
    assert.deepEqual(await store.setEmail(user.id, "s@example.com"), {
      ...user,
      suspended: true,
      email: "s@example.com",
    });
    assert.deepEqual(await store.setSuspended(user.id, false), { ...user, email: "s@example.com" });
    assert.deepEqual(await store.setEmail(user.id, null), user);
    assert.deepEqual(await store.findUserById(user.id), user);
    assert.equal(await store.setSuspended(crypto.randomUUID(), true), null);
    assert.equal(await store.setEmail(crypto.randomUUID(), "x@example.com"), null);
  });

  contract(
    "password resets: found until taken, and taken once even under races",
    async ({ store }) => {
      const user = newUser("forgetful");
      await store.createUser(user);
      const reset = {
        tokenHash: "a".repeat(64),
        userId: user.id,
        createdAt: new Date(Date.now() - 1000),
        expiresAt: new Date(Date.now() + 60_000),
      };
      await store.createPasswordReset(reset);
      assert.deepEqual(await store.findPasswordReset(reset.tokenHash), reset);
      assert.equal(await store.findPasswordReset("b".repeat(64)), null);
      const takes = await Promise.all(
        Array.from({ length: 10 }, () => store.takePasswordReset(reset.tokenHash)),
      );
      assert.deepEqual(takes.filter((taken) => taken !== null), [reset]);
      assert.equal(await store.findPasswordReset(reset.tokenHash), null);
      assert.equal(await store.takePasswordReset(reset.tokenHash), null);
    },
  );

  contract("a closed store throws StoreUnavailable, not its driver's error", async (opened) => {
    const { owner, server, general } = await seedServer(opened.store, "closer");
    const closed = await opened.openAnother();
    await closed.close();
    await assert.rejects(closed.findServer(server.id), StoreUnavailable);
    await assert.rejects(closed.channelStates(owner.id, [server.id]), StoreUnavailable);
    await assert.rejects(send(closed, general.id, owner.id, "lost"), StoreUnavailable);
    await assert.rejects(closed.setReadMarker(owner.id, general.id, 1), StoreUnavailable);
    // A request's own mistakes are still what they were.
    await assert.rejects(opened.store.createUser({ ...owner, id: "x" }), UsernameTakenError);
  });
}
