/**
 * The store contract's conversation cases (db/conversation_store.ts and the message fields that
 * grew with it), run on every backend by kv_store_test.ts and postgres_store_test.ts: replies
 * and mentions stored with a message, reactions (idempotent, counted, capped, ordered, exact
 * under concurrency), pins, the bulk reads of a history page, the change log a resuming client
 * converges with, and custom emoji.
 *
 * How messages stored before replies and mentions read is backend-specific (an old-shaped KV
 * record, PostgreSQL rows from before migration 009): each backend file writes them its own way
 * and checks them with `assertLegacyMessage` below.
 */
import assert from "node:assert/strict";
import { auditEntry } from "../lib/governance/audit.ts";
import type {
  AuditEntryRecord,
  ChannelRecord,
  EmojiRecord,
  MessageMentions,
  MessageRecord,
  PinRecord,
  ServerRecord,
  Store,
  UserRecord,
} from "../db/store.ts";
import { EmojiNameTakenError, TooManyReactionsError } from "../db/conversation_store.ts";
import { type Backend, storeTest, type TestStore } from "./helpers/backends.ts";
import { channelRecord, newUser } from "./helpers/records.ts";

/**
 * Strictly increasing times, starting now (a store may prune change-log entries older than
 * MESSAGE_CHANGES_TTL_MS, so the contract's times must be recent).
 */
let clock = Date.now();
function tick(): Date {
  return new Date(clock += 1000);
}

const NO_MENTIONS: MessageMentions = { users: [], everyone: false };
const MAX_DISTINCT = 20;

function channel(serverId: string, name: string): ChannelRecord {
  return channelRecord(serverId, name, tick());
}

/** A user who owns a server with a `general` channel. */
async function seedServer(store: Store, name = "owner") {
  const owner = await newUser(store, name);
  const server: ServerRecord = {
    id: crypto.randomUUID(),
    name: `${name}'s server`,
    ownerId: owner.id,
    createdAt: tick(),
    iconVersion: null,
  };
  const general = channel(server.id, "general");
  await store.createServer(server, general);
  return { owner, server, general };
}

/** `count` users who are members of the server. */
async function seedMembers(store: Store, serverId: string, count: number): Promise<UserRecord[]> {
  const users: UserRecord[] = [];
  for (let i = 0; i < count; i++) {
    const user = await newUser(store, `m${i}_`);
    await store.addMember(serverId, user.id, tick());
    users.push(user);
  }
  return users;
}

async function send(
  store: Store,
  channelId: string,
  authorId: string,
  content = "hello",
  extra: Partial<Pick<MessageRecord, "replyToId" | "mentions">> = {},
): Promise<MessageRecord> {
  const { message } = await store.appendMessage({
    id: crypto.randomUUID(),
    channelId,
    authorId,
    content,
    createdAt: tick(),
    nonce: null,
    replyToId: null,
    mentions: NO_MENTIONS,
    ...extra,
  });
  return message;
}

function audit(
  serverId: string,
  actorId: string,
  action: string,
  targetType: AuditEntryRecord["targetType"],
  targetId: string,
): AuditEntryRecord {
  return auditEntry(tick().getTime(), {
    serverId,
    actorId,
    action,
    targetType,
    targetId,
    changes: [],
  });
}

function pin(message: MessageRecord, by: string, at = tick()): PinRecord {
  return { channelId: message.channelId, messageId: message.id, pinnedBy: by, pinnedAt: at };
}

function emoji(serverId: string, name: string, createdBy: string): EmojiRecord {
  return {
    id: crypto.randomUUID(),
    serverId,
    name,
    contentType: "image/png",
    createdBy,
    createdAt: tick(),
  };
}

/** The server's whole audit log, newest first. */
function logOf(store: Store, serverId: string): Promise<AuditEntryRecord[]> {
  return store.listAuditLog(serverId, { limit: 1000 });
}

/** The reactions of one message for one reader, as [emoji, count, me] triples. */
async function reactionsOn(store: Store, messageId: string, readerId: string) {
  const of = await store.reactionsOf([messageId], readerId);
  return (of.get(messageId) ?? []).map(({ emoji, count, me }) => [emoji, count, me]);
}

/** Every user who reacted with `emoji`, paging `page` at a time. */
async function allReactionUsers(store: Store, messageId: string, emoji: string, page = 7) {
  const users: string[] = [];
  for (;;) {
    const next = await store.listReactionUsers(messageId, emoji, users.at(-1), page);
    users.push(...next);
    if (next.length < page) return users;
  }
}

/** Asserts a message stored before replies and mentions reads with their defaults. */
export async function assertLegacyMessage(store: Store, message: MessageRecord): Promise<void> {
  const now = { ...message, replyToId: null, mentions: NO_MENTIONS };
  assert.deepEqual(await store.findMessage(message.id), now);
  assert.deepEqual(await store.listMessages(message.channelId, { limit: 10 }), [now]);
  assert.deepEqual(await store.findMessages([message.id]), [now]);
  assert.deepEqual(await store.listMessagesByAuthor(message.authorId, { limit: 10 }), [now]);
  // What conversations do works on it.
  assert.equal(await store.addReaction(message.id, "👍", message.authorId, tick(), 20), true);
  assert.deepEqual(await reactionsOn(store, message.id, message.authorId), [["👍", 1, true]]);
  assert.equal(await store.pinMessage(pin(message, message.authorId), null), true);
  const edited = await store.editMessage(message.id, "edited", tick());
  assert.deepEqual(edited, { ...now, content: "edited", editedAt: edited!.editedAt });
}

/** Registers the conversation cases of the store contract for one backend. */
export function conversationStoreContract(backend: Backend): void {
  const contract = (name: string, fn: (t: TestStore) => Promise<void>) =>
    storeTest(backend, `store contract (${backend.name}) - conversations: ${name}`, fn);

  contract(
    "a message's reply and mentions are stored and read back everywhere",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const [guest] = await seedMembers(store, server.id, 1);
      const original = await send(store, general.id, guest.id, "first");
      assert.equal(original.replyToId, null);
      assert.deepEqual(original.mentions, NO_MENTIONS);
      const mentions = { users: [guest.id, owner.id], everyone: true };
      const reply = await send(store, general.id, owner.id, "@guest @everyone", {
        replyToId: original.id,
        mentions,
      });
      assert.equal(reply.replyToId, original.id);
      assert.deepEqual(reply.mentions, mentions);
      assert.deepEqual(await store.findMessage(reply.id), reply);
      assert.deepEqual(await store.listMessages(general.id, { limit: 10 }), [original, reply]);
      assert.deepEqual(await store.listMessagesByAuthor(owner.id, { limit: 10 }), [reply]);
      assert.deepEqual(await store.findMessages([reply.id]), [reply]);
      const edited = await store.editMessage(reply.id, "changed", tick());
      assert.equal(edited!.replyToId, original.id);
      assert.deepEqual(edited!.mentions, mentions);
      assert.deepEqual(await store.findMessage(reply.id), edited);
      // A reply to a message that is gone keeps naming it (the preview says it was deleted).
      assert.equal(await store.deleteMessage(original.id), true);
      assert.equal((await store.findMessage(reply.id))!.replyToId, original.id);
      // The batched append path stores them too.
      const together = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store.appendMessage({
            id: crypto.randomUUID(),
            channelId: general.id,
            authorId: owner.id,
            content: `b${i}`,
            createdAt: new Date(),
            nonce: `b${i}`,
            replyToId: reply.id,
            mentions: { users: [guest.id], everyone: false },
          }, server.id)),
      );
      for (const { message } of together) {
        assert.deepEqual(await store.findMessage(message.id), message);
        assert.equal(message.replyToId, reply.id);
        assert.deepEqual(message.mentions, { users: [guest.id], everyone: false });
      }
    },
  );

  contract(
    "findMessages reads many at once; unknown, deleted and gone ones are skipped",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const other = channel(server.id, "other");
      await store.createChannel(other);
      const doomed = channel(server.id, "doomed");
      await store.createChannel(doomed);
      const sent: MessageRecord[] = [];
      for (let i = 0; i < 13; i++) {
        sent.push(await send(store, i % 2 ? general.id : other.id, owner.id, `m${i}`));
      }
      const lost = await send(store, doomed.id, owner.id, "in a channel about to go");
      assert.equal(await store.deleteMessage(sent[3].id), true);
      assert.equal(await store.deleteChannel(doomed.id, null), true);
      const byId = (messages: MessageRecord[]) =>
        [...messages].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      const found = await store.findMessages([
        ...sent.map((message) => message.id),
        crypto.randomUUID(),
        lost.id,
      ]);
      assert.deepEqual(byId(found), byId(sent.filter((_, i) => i !== 3)));
      assert.deepEqual(await store.findMessages([]), []);
      assert.deepEqual(await store.findMessages([sent[0].id, sent[0].id]), [sent[0]]);
    },
  );

  contract(
    "reactions: idempotent, counted per emoji, with `me` for each reader",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const [a, b] = await seedMembers(store, server.id, 2);
      const message = await send(store, general.id, owner.id);
      const quiet = await send(store, general.id, owner.id, "nobody reacts");
      assert.equal(await store.addReaction(message.id, "👍", a.id, tick(), MAX_DISTINCT), true);
      assert.equal(await store.addReaction(message.id, "👍", a.id, tick(), MAX_DISTINCT), false);
      assert.equal(await store.addReaction(message.id, "👍", b.id, tick(), MAX_DISTINCT), true);
      assert.equal(
        await store.addReaction(message.id, ":party:", b.id, tick(), MAX_DISTINCT),
        true,
      );
      assert.deepEqual(await reactionsOn(store, message.id, a.id), [["👍", 2, true], [
        ":party:",
        1,
        false,
      ]]);
      assert.deepEqual(await reactionsOn(store, message.id, b.id), [["👍", 2, true], [
        ":party:",
        1,
        true,
      ]]);
      assert.deepEqual(await reactionsOn(store, message.id, owner.id), [
        ["👍", 2, false],
        [":party:", 1, false],
      ]);
      const page = await store.reactionsOf([message.id, quiet.id, crypto.randomUUID()], owner.id);
      assert.deepEqual([...page.keys()], [message.id], "messages without reactions are absent");

      assert.equal(await store.removeReaction(message.id, "👍", a.id, tick()), true);
      assert.equal(await store.removeReaction(message.id, "👍", a.id, tick()), false);
      assert.equal(await store.removeReaction(message.id, "❤", a.id, tick()), false);
      assert.deepEqual(await reactionsOn(store, message.id, a.id), [["👍", 1, false], [
        ":party:",
        1,
        false,
      ]]);
      assert.equal(await store.removeReaction(message.id, ":party:", b.id, tick()), true);
      assert.equal(await store.removeReaction(message.id, "👍", b.id, tick()), true);
      assert.deepEqual(await store.reactionsOf([message.id], a.id), new Map());
      assert.deepEqual(await store.listReactionUsers(message.id, "👍", undefined, 10), []);
      // Back again after it was gone.
      assert.equal(await store.addReaction(message.id, "👍", a.id, tick(), MAX_DISTINCT), true);
      assert.deepEqual(await reactionsOn(store, message.id, a.id), [["👍", 1, true]]);
    },
  );

  contract("reactionsOf and pinsOf read a whole page at once", async ({ store }) => {
    const { owner, server, general } = await seedServer(store);
    const [guest] = await seedMembers(store, server.id, 1);
    const page: MessageRecord[] = [];
    for (let i = 0; i < 25; i++) page.push(await send(store, general.id, owner.id, `p${i}`));
    for (const [i, message] of page.entries()) {
      if (i % 3 === 0) continue;
      await store.addReaction(message.id, "👍", owner.id, tick(), MAX_DISTINCT);
      if (i % 2) await store.addReaction(message.id, "❤", guest.id, tick(), MAX_DISTINCT);
      if (i % 4 === 1) await store.pinMessage(pin(message, owner.id), null);
    }
    const reactions = await store.reactionsOf(page.map((message) => message.id), guest.id);
    const expected = new Map(
      page.flatMap((message, i) => {
        if (i % 3 === 0) return [];
        const counts = [{ emoji: "👍", count: 1, me: false }];
        if (i % 2) counts.push({ emoji: "❤", count: 1, me: true });
        return [[message.id, counts]];
      }),
    );
    assert.deepEqual(reactions, expected);
    assert.deepEqual(
      await store.pinsOf(page.map((message) => message.id)),
      new Set(page.filter((_, i) => i % 3 !== 0 && i % 4 === 1).map((message) => message.id)),
    );
  });

  contract("reactions on a message that does not exist", async ({ store }) => {
    const { owner, general } = await seedServer(store);
    const missing = crypto.randomUUID();
    assert.equal(await store.addReaction(missing, "👍", owner.id, tick(), MAX_DISTINCT), null);
    assert.equal(await store.removeReaction(missing, "👍", owner.id, tick()), false);
    assert.deepEqual(await store.listReactionUsers(missing, "👍", undefined, 10), []);
    const message = await send(store, general.id, owner.id);
    assert.equal(await store.deleteMessage(message.id), true);
    assert.equal(await store.addReaction(message.id, "👍", owner.id, tick(), MAX_DISTINCT), null);
    assert.deepEqual(await store.reactionsOf([message.id, missing], owner.id), new Map());
  });

  contract(
    "emoji are listed in the order they first appeared, and keep their place",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const [a, b] = await seedMembers(store, server.id, 2);
      const message = await send(store, general.id, owner.id);
      for (const [emoji, user] of [["🎉", a], ["👍", b], ["❤", a], ["👍", a], ["🎉", b]] as const) {
        assert.equal(
          await store.addReaction(message.id, emoji, user.id, tick(), MAX_DISTINCT),
          true,
        );
      }
      const order = async () => (await reactionsOn(store, message.id, owner.id)).map(([e]) => e);
      assert.deepEqual(await order(), ["🎉", "👍", "❤"]);
      // The first reactor leaving does not move it while others remain.
      assert.equal(await store.removeReaction(message.id, "🎉", a.id, tick()), true);
      assert.deepEqual(await order(), ["🎉", "👍", "❤"]);
      // Back from zero, it goes last.
      assert.equal(await store.removeReaction(message.id, "🎉", b.id, tick()), true);
      assert.deepEqual(await order(), ["👍", "❤"]);
      assert.equal(await store.addReaction(message.id, "🎉", b.id, tick(), MAX_DISTINCT), true);
      assert.deepEqual(await order(), ["👍", "❤", "🎉"]);
    },
  );

  contract(
    "at most maxDistinct emoji per message; existing ones can still be added",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const [a, b] = await seedMembers(store, server.id, 2);
      const message = await send(store, general.id, owner.id);
      const emojis = Array.from({ length: 5 }, (_, i) => `:e${i}:`);
      for (const emoji of emojis) {
        assert.equal(await store.addReaction(message.id, emoji, a.id, tick(), 5), true);
      }
      await assert.rejects(
        store.addReaction(message.id, ":e5:", b.id, tick(), 5),
        TooManyReactionsError,
      );
      assert.equal(
        await store.addReaction(message.id, ":e0:", b.id, tick(), 5),
        true,
        "existing emoji",
      );
      assert.equal(
        await store.addReaction(message.id, ":e1:", a.id, tick(), 5),
        false,
        "own again",
      );
      const counts = await reactionsOn(store, message.id, b.id);
      assert.deepEqual(
        counts.map(([e, count]) => [e, count]),
        emojis.map((e, i) => [e, i ? 1 : 2]),
      );
      // Room again once one is gone.
      assert.equal(await store.removeReaction(message.id, ":e4:", a.id, tick()), true);
      assert.equal(await store.addReaction(message.id, ":e5:", b.id, tick(), 5), true);
      // Concurrent new emoji never go past the cap.
      const racing = await Promise.allSettled(
        Array.from(
          { length: 4 },
          (_, i) => store.addReaction(message.id, `:r${i}:`, i % 2 ? a.id : b.id, tick(), 6),
        ),
      );
      assert.equal(
        racing.filter((r) => r.status === "fulfilled").length,
        1,
      );
      for (const r of racing) {
        if (r.status === "rejected") assert.ok(r.reason instanceof TooManyReactionsError);
      }
      assert.equal((await reactionsOn(store, message.id, a.id)).length, 6);
    },
  );

  contract(
    "listReactionUsers: in the order they reacted, paged after a user",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const users = await seedMembers(store, server.id, 12);
      const message = await send(store, general.id, owner.id);
      // Added in an order that is not the users' creation (or id) order.
      const order = [...users].reverse();
      for (const user of order) {
        assert.equal(
          await store.addReaction(message.id, "👍", user.id, tick(), MAX_DISTINCT),
          true,
        );
      }
      assert.equal(
        await store.addReaction(message.id, "❤", users[0].id, tick(), MAX_DISTINCT),
        true,
      );
      const ids = order.map((user) => user.id);
      assert.deepEqual(await store.listReactionUsers(message.id, "👍", undefined, 100), ids);
      assert.deepEqual(
        await store.listReactionUsers(message.id, "👍", undefined, 5),
        ids.slice(0, 5),
      );
      assert.deepEqual(
        await store.listReactionUsers(message.id, "👍", ids[4], 5),
        ids.slice(5, 10),
      );
      assert.deepEqual(await store.listReactionUsers(message.id, "👍", ids[9], 5), ids.slice(10));
      assert.deepEqual(await store.listReactionUsers(message.id, "👍", ids[11], 5), []);
      assert.deepEqual(await store.listReactionUsers(message.id, "❤", undefined, 5), [users[0].id]);
      assert.deepEqual(await store.listReactionUsers(message.id, "🎉", undefined, 5), []);
      // A cursor whose user took their reaction back is lost.
      assert.equal(await store.removeReaction(message.id, "👍", ids[4], tick()), true);
      assert.deepEqual(await store.listReactionUsers(message.id, "👍", ids[4], 5), []);
      assert.deepEqual(
        await allReactionUsers(store, message.id, "👍"),
        ids.filter((_, i) => i !== 4),
      );
    },
  );

  contract(
    "20 users reacting at once through two store handles are all counted",
    async (opened) => {
      const { store } = opened;
      const another = await opened.openAnother();
      const { owner, server, general } = await seedServer(store);
      const users = await seedMembers(store, server.id, 20);
      const message = await send(store, general.id, owner.id);
      const handle = (i: number) => i % 2 ? another : store;
      const at = tick();
      const added = await Promise.all(
        users.flatMap((user, i) => [
          handle(i).addReaction(message.id, "👍", user.id, at, MAX_DISTINCT),
          handle(i + 1).addReaction(message.id, "❤", user.id, at, MAX_DISTINCT),
          handle(i).addReaction(message.id, "👍", user.id, at, MAX_DISTINCT),
        ]),
      );
      assert.equal(added.filter((result) => result === true).length, 40);
      assert.equal(added.filter((result) => result === false).length, 20);
      for (const reader of [store, another]) {
        assert.deepEqual(
          (await reactionsOn(reader, message.id, users[3].id)).map((
            [e, count, me],
          ) => [e, count, me])
            .sort(),
          [["❤", 20, true], ["👍", 20, true]],
        );
      }
      const everyone = users.map((user) => user.id).sort();
      assert.deepEqual((await allReactionUsers(store, message.id, "👍")).sort(), everyone);
      // Half of them take 👍 back while the other half add 🎉, at once.
      const later = tick();
      const changed = await Promise.all(
        users.map((user, i) =>
          i < 10
            ? handle(i).removeReaction(message.id, "👍", user.id, later)
            : handle(i).addReaction(message.id, "🎉", user.id, later, MAX_DISTINCT)
        ),
      );
      assert.ok(changed.every((result) => result === true));
      const counts = new Map(
        (await reactionsOn(another, message.id, users[0].id)).map(([e, count]) => [e, count]),
      );
      assert.deepEqual(counts, new Map([["👍", 10], ["❤", 20], ["🎉", 10]]));
      assert.deepEqual(
        (await allReactionUsers(another, message.id, "👍")).sort(),
        users.slice(10).map((user) => user.id).sort(),
      );
    },
  );

  contract(
    "pins: idempotent, newest first, audited in the same commit, read in bulk",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const other = channel(server.id, "other");
      await store.createChannel(other);
      const [m1, m2, m3] = [
        await send(store, general.id, owner.id, "one"),
        await send(store, general.id, owner.id, "two"),
        await send(store, general.id, owner.id, "three"),
      ];
      const elsewhere = await send(store, other.id, owner.id, "elsewhere");
      const first = pin(m1, owner.id);
      const pinAudit = audit(server.id, owner.id, "message_pin", "message", m1.id);
      assert.equal(await store.pinMessage(first, pinAudit), true);
      assert.deepEqual((await logOf(store, server.id))[0], pinAudit);
      const again = audit(server.id, owner.id, "message_pin", "message", m1.id);
      assert.equal(await store.pinMessage(pin(m1, owner.id), again), false);
      assert.deepEqual(await logOf(store, server.id), [pinAudit], "no entry when nothing changed");
      const third = pin(m3, owner.id);
      assert.equal(await store.pinMessage(third, null), true);
      assert.equal(await store.pinMessage(pin(elsewhere, owner.id), null), true);
      assert.deepEqual(await store.listPins(general.id), [third, first]);
      assert.deepEqual(await store.listPins(crypto.randomUUID()), []);
      assert.deepEqual(
        await store.pinsOf([m1.id, m2.id, m3.id, elsewhere.id, crypto.randomUUID()]),
        new Set([m1.id, m3.id, elsewhere.id]),
      );
      assert.deepEqual(await store.pinsOf([]), new Set());
      // A message that does not exist, or is not in that channel, is not pinned.
      assert.equal(
        await store.pinMessage({ ...pin(m2, owner.id), messageId: crypto.randomUUID() }, null),
        false,
      );
      assert.equal(
        await store.pinMessage({ ...pin(m2, owner.id), channelId: other.id }, null),
        false,
      );
      assert.deepEqual((await store.listPins(other.id)).map((p) => p.messageId), [elsewhere.id]);

      const unpinAudit = audit(server.id, owner.id, "message_unpin", "message", m1.id);
      assert.equal(await store.unpinMessage(general.id, m1.id, tick(), unpinAudit), true);
      assert.deepEqual((await logOf(store, server.id))[0], unpinAudit);
      const unpinAgain = audit(server.id, owner.id, "message_unpin", "message", m1.id);
      assert.equal(await store.unpinMessage(general.id, m1.id, tick(), unpinAgain), false);
      assert.equal(await store.unpinMessage(general.id, m2.id, tick(), null), false);
      assert.deepEqual((await logOf(store, server.id))[0], unpinAudit);
      assert.deepEqual(await store.listPins(general.id), [third]);
      assert.deepEqual(await store.pinsOf([m1.id, m3.id]), new Set([m3.id]));
      // Pinned again later: newest first puts it first.
      const repinned = pin(m1, owner.id);
      assert.equal(await store.pinMessage(repinned, null), true);
      assert.deepEqual(await store.listPins(general.id), [repinned, third]);
    },
  );

  contract("deleting a message takes its reactions and its pin with it", async ({ store }) => {
    const { owner, server, general } = await seedServer(store);
    const users = await seedMembers(store, server.id, 3);
    const doomed = await send(store, general.id, owner.id, "doomed");
    const kept = await send(store, general.id, owner.id, "kept");
    for (const user of users) {
      for (const target of [doomed, kept]) {
        assert.equal(await store.addReaction(target.id, "👍", user.id, tick(), MAX_DISTINCT), true);
      }
    }
    assert.equal(await store.pinMessage(pin(doomed, owner.id), null), true);
    assert.equal(await store.pinMessage(pin(kept, owner.id), null), true);
    const deletion = audit(server.id, owner.id, "message_delete", "message", doomed.id);
    assert.equal(await store.deleteMessage(doomed.id, deletion), true);
    assert.deepEqual((await logOf(store, server.id))[0], deletion);
    const reactions = await store.reactionsOf([doomed.id, kept.id], users[0].id);
    assert.deepEqual([...reactions.keys()], [kept.id]);
    assert.deepEqual(await store.listReactionUsers(doomed.id, "👍", undefined, 10), []);
    assert.deepEqual((await store.listPins(general.id)).map((p) => p.messageId), [kept.id]);
    assert.deepEqual(await store.pinsOf([doomed.id, kept.id]), new Set([kept.id]));
    assert.equal(await store.unpinMessage(general.id, doomed.id, tick(), null), false);
    assert.equal(await store.removeReaction(doomed.id, "👍", users[0].id, tick()), false);
  });

  contract(
    "changedSince: edits, deletions, reactions and pins, each message once",
    async ({ store }) => {
      const { owner, server, general } = await seedServer(store);
      const other = channel(server.id, "other");
      await store.createChannel(other);
      const [user] = await seedMembers(store, server.id, 1);
      const m: MessageRecord[] = [];
      for (let i = 0; i < 6; i++) m.push(await send(store, general.id, owner.id, `m${i}`));
      const elsewhere = await send(store, other.id, owner.id, "elsewhere");
      const start = tick();
      assert.deepEqual(await store.changedSince(general.id, start, 10), [], "sending is no change");

      await store.editMessage(m[0].id, "edited", tick());
      await store.addReaction(m[1].id, "👍", user.id, tick(), MAX_DISTINCT);
      await store.pinMessage(pin(m[2], owner.id), null);
      await store.deleteMessage(
        m[3].id,
        audit(server.id, owner.id, "message_delete", "message", m[3].id),
      );
      await store.addReaction(m[4].id, "👍", user.id, tick(), MAX_DISTINCT);
      await store.addReaction(elsewhere.id, "👍", user.id, tick(), MAX_DISTINCT);
      const change = (message: MessageRecord, deleted = false) => ({
        messageId: message.id,
        deleted,
      });
      assert.deepEqual(await store.changedSince(general.id, start, 10), [
        change(m[0]),
        change(m[1]),
        change(m[2]),
        change(m[3], true),
        change(m[4]),
      ]);
      assert.deepEqual(await store.changedSince(other.id, start, 10), [change(elsewhere)]);
      assert.deepEqual(await store.changedSince(general.id, start, 2), [
        change(m[0]),
        change(m[1]),
      ]);

      // Later changes: a message changed again is listed once, at its latest change.
      const middle = tick();
      await store.removeReaction(m[4].id, "👍", user.id, tick());
      await store.unpinMessage(general.id, m[2].id, tick(), null);
      await store.addReaction(m[0].id, "❤", user.id, tick(), MAX_DISTINCT);
      await store.addReaction(m[0].id, "🎉", user.id, tick(), MAX_DISTINCT);
      assert.deepEqual(await store.changedSince(general.id, middle, 10), [
        change(m[4]),
        change(m[2]),
        change(m[0]),
      ]);
      assert.deepEqual(await store.changedSince(general.id, start, 10), [
        change(m[1]),
        change(m[3], true),
        change(m[4]),
        change(m[2]),
        change(m[0]),
      ]);
      // `since` is inclusive; nothing changed after the last change.
      const last = tick();
      await store.editMessage(m[5].id, "at the bound", last);
      assert.deepEqual(await store.changedSince(general.id, last, 10), [change(m[5])]);
      assert.deepEqual(await store.changedSince(general.id, tick(), 10), []);
      // Only what changed: a no-op (an existing reaction again, an unpin of nothing) records nothing.
      const quiet = tick();
      assert.equal(await store.addReaction(m[0].id, "❤", user.id, tick(), MAX_DISTINCT), false);
      assert.equal(await store.unpinMessage(general.id, m[1].id, tick(), null), false);
      assert.deepEqual(await store.changedSince(general.id, quiet, 10), []);
      // A deletion without an audit entry is recorded now.
      const beforeDelete = new Date(Date.now() - 1000);
      assert.equal(await store.deleteMessage(m[5].id), true);
      const deleted = await store.changedSince(general.id, beforeDelete, 10);
      assert.deepEqual(deleted.filter((c) => c.messageId === m[5].id), [change(m[5], true)]);
    },
  );

  contract(
    "custom emoji: unique names, listed oldest first, image, delete audited",
    async ({ store }) => {
      const { owner, server } = await seedServer(store);
      const second = await seedServer(store, "second");
      // Bigger than one KV value (64 KiB) so the image is stored in parts.
      const large = new Uint8Array(200 * 1024).map((_, i) => (i * 31 + (i >> 10)) % 251);
      const party = emoji(server.id, "party", owner.id);
      const createAudit = audit(server.id, owner.id, "emoji_create", "server", party.id);
      await store.createEmoji(party, large, createAudit);
      assert.deepEqual((await logOf(store, server.id))[0], createAudit);
      const small = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
      const cat = emoji(server.id, "cat_2", owner.id);
      await store.createEmoji(cat, small, null);
      const taken = emoji(server.id, "party", owner.id);
      const takenAudit = audit(server.id, owner.id, "emoji_create", "server", taken.id);
      await assert.rejects(store.createEmoji(taken, small, takenAudit), EmojiNameTakenError);
      assert.deepEqual((await logOf(store, server.id))[0], createAudit, "nothing written");
      assert.equal(await store.findEmojiImage(taken.id), null);
      // The same name in another server is another emoji.
      const theirs = emoji(second.server.id, "party", second.owner.id);
      await store.createEmoji(theirs, small, null);

      assert.deepEqual(await store.listEmojis(server.id), [party, cat]);
      assert.deepEqual(await store.listEmojis(second.server.id), [theirs]);
      assert.deepEqual(await store.listEmojis(crypto.randomUUID()), []);
      assert.deepEqual(await store.findEmojiImage(party.id), { emoji: party, bytes: large });
      assert.deepEqual(await store.findEmojiImage(cat.id), { emoji: cat, bytes: small });
      assert.equal(await store.findEmojiImage(crypto.randomUUID()), null);

      assert.equal(
        await store.deleteEmoji(second.server.id, party.id, null),
        false,
        "another server's",
      );
      const deleteAudit = audit(server.id, owner.id, "emoji_delete", "server", party.id);
      assert.equal(await store.deleteEmoji(server.id, party.id, deleteAudit), true);
      assert.deepEqual((await logOf(store, server.id))[0], deleteAudit);
      assert.equal(
        await store.deleteEmoji(
          server.id,
          party.id,
          audit(server.id, owner.id, "emoji_delete", "server", party.id),
        ),
        false,
      );
      assert.deepEqual((await logOf(store, server.id))[0], deleteAudit);
      assert.equal(await store.findEmojiImage(party.id), null);
      assert.deepEqual(await store.listEmojis(server.id), [cat]);
      // The name is free again.
      const reborn = emoji(server.id, "party", owner.id);
      await store.createEmoji(reborn, small, null);
      assert.deepEqual(await store.listEmojis(server.id), [cat, reborn]);
      assert.deepEqual(await store.findEmojiImage(reborn.id), { emoji: reborn, bytes: small });
      // Two uploads of one name at once: exactly one gets it.
      const racing = [emoji(server.id, "race", owner.id), emoji(server.id, "race", owner.id)];
      const results = await Promise.allSettled(
        racing.map((e) => store.createEmoji(e, small, null)),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      const lost = results.findIndex((r) => r.status === "rejected");
      assert.ok((results[lost] as PromiseRejectedResult).reason instanceof EmojiNameTakenError);
      assert.equal(await store.findEmojiImage(racing[lost].id), null);
      assert.deepEqual(await store.listEmojis(server.id), [cat, reborn, racing[1 - lost]]);
    },
  );
}
