/**
 * The channel → server cache of the chat services (lib/chat/channel_places.ts): what it keeps
 * can never be served stale, because only the one fact that never changes is kept.
 */
import assert from "node:assert/strict";
import { KvStore } from "../db/kv/kv_store.ts";
import { PostgresStore } from "../db/postgres/postgres_store.ts";
import type { ChannelRecord, Store } from "../db/store.ts";
import { ChannelPlaces } from "../lib/chat/channel_places.ts";
import { ChatService } from "../lib/chat/chat_service.ts";
import { NotFound } from "../lib/errors.ts";
import { BACKENDS, needs } from "./helpers/backends.ts";

Deno.test("channel places - remembers a channel's server until forgotten, oldest out first", () => {
  const places = new ChannelPlaces(2);
  places.remember("a", "s1");
  places.remember("b", "s1");
  assert.equal(places.serverOf("a"), "s1");
  places.forget("a");
  assert.equal(places.serverOf("a"), undefined);
  places.remember("c", "s2");
  places.remember("d", "s2");
  assert.equal(places.serverOf("b"), undefined);
  assert.deepEqual([places.serverOf("c"), places.serverOf("d")], ["s2", "s2"]);
});

/** What a rename will do, written straight to the database (there is no rename yet). */
async function renameInDatabase(store: Store, channel: ChannelRecord, name: string) {
  if (store instanceof KvStore) {
    const renamed = { ...channel, name };
    await store.kv.atomic()
      .set(["channels", channel.id], renamed)
      .set(["server_channels", channel.serverId, channel.id], renamed)
      .commit();
  } else if (store instanceof PostgresStore) {
    await store.sql`UPDATE channels SET name = ${name} WHERE id = ${channel.id}`;
  }
}

/** What a deletion will do, written straight to the database. */
async function deleteInDatabase(store: Store, channel: ChannelRecord) {
  if (store instanceof KvStore) {
    await store.kv.atomic()
      .delete(["channels", channel.id])
      .delete(["server_channels", channel.serverId, channel.id])
      .commit();
  } else if (store instanceof PostgresStore) {
    await store.sql`DELETE FROM channels WHERE id = ${channel.id}`;
  }
}

for (const backend of BACKENDS) {
  Deno.test(
    `channel places - a renamed or deleted channel is never answered from memory (${backend.name})`,
    needs(backend),
    async () => {
      const opened = await backend.open();
      try {
        const { store } = opened;
        const chat = new ChatService({
          store,
          publish: () => {},
          messageRateLimit: 0,
          readRateLimit: 0,
        });
        const owner = {
          id: crypto.randomUUID(),
          username: "owner",
          displayName: "Owner",
          bio: "",
          passwordHash: "$2a$04$hash",
          avatarVersion: null,
          createdAt: new Date(),
        };
        await store.createUser(owner);
        const { channels: [wire] } = await chat.servers.create(owner, { name: "Places" });
        const seen = await chat.channels.member(owner, wire.id);
        assert.equal(seen.name, "general");
        await chat.messages.send(owner, wire.id, { content: "cached now" });

        await renameInDatabase(store, seen, "renamed");
        assert.equal((await chat.channels.member(owner, wire.id)).name, "renamed");

        await deleteInDatabase(store, seen);
        await assert.rejects(chat.channels.member(owner, wire.id), NotFound);
        await assert.rejects(chat.typing.start(owner, wire.id), NotFound);
        await assert.rejects(chat.messages.list(owner, wire.id, {}), NotFound);
      } finally {
        await opened.dispose();
      }
    },
  );
}
