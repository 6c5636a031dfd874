/**
 * The attachment store contract (db/attachment_store.ts), run on Deno KV and PostgreSQL by
 * tests/attachment_store_test.ts: records round-trip, the quota sum, the orphan listing, removal
 * by message, channel and server, and the claim of attachments by `appendMessage` in the same
 * commit as the message (refused whole when one is not the author's unsent upload there).
 */
import assert from "node:assert/strict";
import type { AttachmentRecord, NewMessage, Store, UserRecord } from "../db/store.ts";
import { InvalidAttachmentError, toMessageAttachment } from "../db/attachment_store.ts";
import { type Backend, storeTest, type TestStore } from "./helpers/backends.ts";
import { channelRecord, newUser } from "./helpers/records.ts";

async function seed(store: Store) {
  const owner = await newUser(store, "owner");
  const guest = await newUser(store, "guest");
  const server = {
    id: crypto.randomUUID(),
    name: "s",
    ownerId: owner.id,
    createdAt: new Date(),
    iconVersion: null,
  };
  const general = channelRecord(server.id, "general", new Date());
  await store.createServer(server, general);
  const other = channelRecord(server.id, "other", new Date(Date.now() + 1));
  await store.createChannel(other);
  await store.addMember(server.id, guest.id, new Date());
  return { owner, guest, server, general, other };
}

function upload(
  uploader: UserRecord,
  channel: { id: string; serverId: string },
  overrides: Partial<AttachmentRecord> = {},
): AttachmentRecord {
  return {
    id: crypto.randomUUID(),
    serverId: channel.serverId,
    channelId: channel.id,
    uploaderId: uploader.id,
    filename: "a.png",
    contentType: "image/png",
    size: 1000,
    width: 20,
    height: 10,
    placeholder: "abc=",
    thumbnailSize: 200,
    createdAt: new Date(),
    messageId: null,
    ...overrides,
  };
}

function message(
  author: UserRecord,
  channelId: string,
  attachments: AttachmentRecord[],
): NewMessage {
  return {
    id: crypto.randomUUID(),
    channelId,
    authorId: author.id,
    content: "",
    createdAt: new Date(),
    nonce: crypto.randomUUID(),
    replyToId: null,
    mentions: { users: [], everyone: false },
    attachments: attachments.map(toMessageAttachment),
  };
}

export function attachmentStoreContract(backend: Backend): void {
  const contract = (name: string, fn: (t: TestStore) => Promise<void>) =>
    storeTest(backend, `store contract (${backend.name}) - attachments: ${name}`, fn);

  contract("records round-trip; the quota sums files and thumbnails", async ({ store }) => {
    const { owner, guest, general } = await seed(store);
    const a = upload(owner, general);
    const b = upload(owner, general, {
      thumbnailSize: null,
      width: null,
      height: null,
      placeholder: null,
      size: 5,
    });
    await store.createAttachment(a);
    await store.createAttachment(b);
    const found = await store.findAttachments([a.id, b.id, "missing"]);
    assert.deepEqual(
      found.sort((x, y) => x.id.localeCompare(y.id)),
      [a, b].sort((x, y) => x.id.localeCompare(y.id)),
    );
    assert.equal(await store.uploadedBytesOf(owner.id), 1205);
    assert.equal(await store.uploadedBytesOf(guest.id), 0);
  });

  contract("appendMessage claims its attachments in the same commit", async ({ store }) => {
    const { owner, guest, server, general, other } = await seed(store);
    const mine = upload(owner, general);
    const second = upload(owner, general);
    const theirs = upload(guest, general);
    const elsewhere = upload(owner, other);
    for (const r of [mine, second, theirs, elsewhere]) await store.createAttachment(r);
    // One bad attachment: nothing is stored, the good one stays unclaimed.
    for (const bad of [theirs, elsewhere]) {
      await assert.rejects(
        store.appendMessage(message(owner, general.id, [mine, bad]), server.id),
        InvalidAttachmentError,
      );
    }
    assert.deepEqual(await store.listMessages(general.id, { limit: 10 }), []);
    assert.equal((await store.findAttachments([mine.id]))[0].messageId, null);
    const sent = message(owner, general.id, [mine, second]);
    const { message: stored } = await store.appendMessage(sent, server.id);
    assert.deepEqual(stored.attachments, [toMessageAttachment(mine), toMessageAttachment(second)]);
    assert.deepEqual((await store.findMessage(sent.id))!.attachments, stored.attachments);
    assert.deepEqual(
      (await store.listMessages(general.id, { limit: 10 }))[0].attachments,
      stored.attachments,
    );
    const claimed = await store.findAttachments([mine.id]);
    assert.equal(claimed[0].messageId, sent.id);
    assert.deepEqual(
      (await store.attachmentsOf({ messageId: sent.id }, 10)).map((r) => r.id).sort(),
      [mine.id, second.id].sort(),
    );
    // Already sent: refused.
    await assert.rejects(
      store.appendMessage(message(owner, general.id, [mine]), server.id),
      InvalidAttachmentError,
    );
    // Two sends racing for one upload: exactly one wins.
    const raced = upload(owner, general);
    await store.createAttachment(raced);
    const results = await Promise.allSettled([
      store.appendMessage(message(owner, general.id, [raced]), server.id),
      store.appendMessage(message(owner, general.id, [raced]), server.id),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    // A message without files reads as before.
    const plain = await store.appendMessage({
      ...message(owner, general.id, []),
      attachments: undefined,
    }, server.id);
    assert.equal((await store.findMessage(plain.message.id))!.attachments, undefined);
  });

  contract(
    "orphans: unclaimed ones before a time, oldest first; deletion spares claimed ones",
    async ({ store }) => {
      const { owner, server, general } = await seed(store);
      const old = upload(owner, general, { createdAt: new Date(Date.now() - 3 * 86_400_000) });
      const older = upload(owner, general, { createdAt: new Date(Date.now() - 4 * 86_400_000) });
      const fresh = upload(owner, general);
      const sentOld = upload(owner, general, { createdAt: new Date(Date.now() - 5 * 86_400_000) });
      for (const r of [old, older, fresh, sentOld]) await store.createAttachment(r);
      await store.appendMessage(message(owner, general.id, [sentOld]), server.id);
      const cutoff = new Date(Date.now() - 86_400_000);
      assert.deepEqual((await store.listUnclaimedAttachments(cutoff, 10)).map((r) => r.id), [
        older.id,
        old.id,
      ]);
      assert.deepEqual((await store.listUnclaimedAttachments(cutoff, 1)).map((r) => r.id), [
        older.id,
      ]);
      const deleted = await store.deleteAttachments([old.id, sentOld.id], { unclaimedOnly: true });
      assert.deepEqual(deleted.map((r) => r.id), [old.id]);
      assert.equal((await store.findAttachments([sentOld.id])).length, 1);
      assert.equal(await store.uploadedBytesOf(owner.id), 3 * 1200);
    },
  );

  contract(
    "attachmentsOf a channel and a server; deleteAttachments removes every index",
    async ({ store }) => {
      const { owner, general, other } = await seed(store);
      const a = upload(owner, general);
      const b = upload(owner, other);
      await store.createAttachment(a);
      await store.createAttachment(b);
      assert.deepEqual(
        (await store.attachmentsOf({ channelId: general.id }, 10)).map((r) => r.id),
        [a.id],
      );
      assert.deepEqual(
        (await store.attachmentsOf({ serverId: general.serverId }, 10)).map((r) => r.id).sort(),
        [a.id, b.id].sort(),
      );
      const deleted = await store.deleteAttachments([a.id, b.id, "missing"]);
      assert.equal(deleted.length, 2);
      assert.deepEqual(await store.attachmentsOf({ serverId: general.serverId }, 10), []);
      assert.deepEqual(await store.listUnclaimedAttachments(new Date(Date.now() + 1000), 10), []);
      assert.equal(await store.uploadedBytesOf(owner.id), 0);
    },
  );
}
