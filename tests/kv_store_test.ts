import assert from "node:assert/strict";
import { KvStore } from "../db/kv/kv_store.ts";
import type { MessageRecord } from "../db/store.ts";
import { storeContract } from "./store_contract.ts";
import {
  assertLegacyDefaults,
  governanceStoreContract,
  legacyData,
} from "./governance_store_contract.ts";
import { KV_BACKEND } from "./helpers/backends.ts";
import { assertLegacyMessage, conversationStoreContract } from "./conversation_store_contract.ts";

storeContract(KV_BACKEND);
governanceStoreContract(KV_BACKEND);
conversationStoreContract(KV_BACKEND);

Deno.test("kv store - records stored before governance read with the defaults", async () => {
  const opened = await KV_BACKEND.open();
  try {
    const data = legacyData();
    await opened.store.createUser(data.owner);
    await opened.store.createUser(data.guest);
    // The keys and shapes the version before governance wrote (no @everyone, no new fields).
    const { server, channel, invite } = data;
    assert.ok(opened.store instanceof KvStore);
    const written = await opened.store.kv.atomic()
      .set(["servers", server.id], server)
      .set(["server_members", server.id, server.ownerId], server.createdAt)
      .set(["user_servers", server.ownerId, server.id], server.createdAt)
      .set(["server_members", server.id, data.guest.id], data.guestJoinedAt)
      .set(["user_servers", data.guest.id, server.id], data.guestJoinedAt)
      .set(["channels", channel.id], channel)
      .set(["server_channels", server.id, channel.id], channel)
      .set(["channel_names", server.id, channel.name], channel.id)
      .set(["invites", invite.code], invite)
      .commit();
    if (!written.ok) throw new Error("could not write the old records");
    // Opened again, as the new version starts on old data.
    await assertLegacyDefaults(await opened.reopen(), data);
  } finally {
    await opened.dispose();
  }
});

Deno.test("kv store - messages stored before replies and mentions read with no reply and no mentions", async () => {
  const opened = await KV_BACKEND.open();
  try {
    const data = legacyData();
    await opened.store.createUser(data.owner);
    const server = { ...data.server, iconVersion: null };
    const channel = {
      ...data.channel,
      kind: "text" as const,
      parentId: null,
      topic: "",
      position: 0,
    };
    await opened.store.createServer(server, channel);
    // The keys and shape the version before conversations wrote (no replyToId, no mentions).
    const message = {
      id: crypto.randomUUID(),
      channelId: channel.id,
      seq: 1,
      authorId: data.owner.id,
      content: "from before",
      createdAt: new Date("2025-06-04T00:00:00.000Z"),
      editedAt: null,
      nonce: null,
    };
    assert.ok(opened.store instanceof KvStore);
    const address = [channel.id, 1];
    const written = await opened.store.kv.atomic()
      .set(["messages", channel.id, 1], message)
      .set(["message_ids", message.id], address)
      .set(["author_messages", message.authorId, message.id], address)
      .set(["channel_seq", channel.id], 1)
      .commit();
    if (!written.ok) throw new Error("could not write the old message");
    await assertLegacyMessage(await opened.reopen(), {
      ...message,
      replyToId: null,
      mentions: { users: [], everyone: false },
    });
  } finally {
    await opened.dispose();
  }
});

/** Every key in the database that names one of `ids` (in the key or the value). */
async function keysNaming(kv: Deno.Kv, ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    const text = JSON.stringify(entry.key) +
      JSON.stringify(entry.value, (_, v) => v instanceof Uint8Array ? "bytes" : v);
    if (ids.some((id) => text.includes(id))) found.push(JSON.stringify(entry.key));
  }
  return found;
}

Deno.test("kv store - deleted messages, channels and servers leave no conversation keys", async () => {
  const opened = await KV_BACKEND.open();
  try {
    const store = opened.store;
    assert.ok(store instanceof KvStore);
    const data = legacyData();
    const [owner, guest] = [data.owner, data.guest];
    await store.createUser(owner);
    await store.createUser(guest);
    const server = { ...data.server, iconVersion: null };
    const channelOf = (name: string) => ({
      id: crypto.randomUUID(),
      serverId: server.id,
      name,
      createdAt: new Date(),
      kind: "text" as const,
      parentId: null,
      topic: "",
      position: 0,
    });
    const general = channelOf("general");
    await store.createServer(server, general);
    await store.addMember(server.id, guest.id, new Date());
    const doomed = channelOf("doomed");
    await store.createChannel(doomed);
    const send = async (channelId: string) =>
      (await store.appendMessage({
        id: crypto.randomUUID(),
        channelId,
        authorId: owner.id,
        content: "hi",
        createdAt: new Date(),
        nonce: null,
        replyToId: null,
        mentions: { users: [], everyone: false },
      })).message;
    /** Reactions of both users, a pin and an edit: every kind of key a message can gain. */
    const decorate = async (message: MessageRecord) => {
      for (const user of [owner, guest]) {
        for (const emoji of ["👍", "❤"]) {
          await store.addReaction(message.id, emoji, user.id, new Date(), 20);
        }
      }
      await store.pinMessage({
        channelId: message.channelId,
        messageId: message.id,
        pinnedBy: owner.id,
        pinnedAt: new Date(),
      }, null);
      await store.editMessage(message.id, "edited", new Date());
    };
    const alone = await send(general.id);
    await decorate(alone);
    assert.equal(await store.deleteMessage(alone.id), true);
    await store.purgesDone();
    assert.deepEqual(
      (await keysNaming(store.kv, [alone.id])).filter((key) => !key.includes("message_change")),
      [],
      "only its change-log entry (the deletion) is left",
    );

    const inDoomed = [await send(doomed.id), await send(doomed.id)];
    for (const message of inDoomed) await decorate(message);
    assert.equal(await store.deleteChannel(doomed.id, null), true);
    await store.purgesDone();
    assert.deepEqual(await keysNaming(store.kv, [doomed.id, ...inDoomed.map((m) => m.id)]), []);

    const kept = await send(general.id);
    await decorate(kept);
    const emoji = {
      id: crypto.randomUUID(),
      serverId: server.id,
      name: "party",
      contentType: "image/png",
      createdBy: owner.id,
      createdAt: new Date(),
    };
    await store.createEmoji(emoji, new Uint8Array(100 * 1024), null);
    assert.equal(await store.deleteServer(server.id), true);
    await store.purgesDone();
    assert.deepEqual(
      await keysNaming(store.kv, [server.id, general.id, kept.id, alone.id, emoji.id]),
      [],
    );
  } finally {
    await opened.dispose();
  }
});
