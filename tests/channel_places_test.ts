/**
 * The channel → server cache of the chat services (lib/chat/channel_places.ts): what it keeps
 * can never be served stale, because only the one fact that never changes is kept; names and
 * existence come from the permission snapshot, which follows every change's event.
 */
import assert from "node:assert/strict";
import { ChannelPlaces } from "../lib/chat/channel_places.ts";
import { ChatService } from "../lib/chat/chat_service.ts";
import { NotFound } from "../lib/errors.ts";
import { AccessBook } from "../lib/permissions/access_book.ts";
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

for (const backend of BACKENDS) {
  Deno.test(
    `channel places - a renamed or deleted channel is never answered from memory (${backend.name})`,
    needs(backend),
    async () => {
      const opened = await backend.open();
      try {
        const { store } = opened;
        // The permission snapshots follow the published events, as the hub makes them do.
        const access = new AccessBook(store);
        const chat = new ChatService({
          store,
          access,
          publish: (envelope) => access.observe(envelope),
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

        await chat.channelAdmin.update(owner, wire.id, { name: "renamed" });
        assert.equal((await chat.channels.member(owner, wire.id)).name, "renamed");

        await chat.channelAdmin.delete(owner, wire.id);
        await assert.rejects(chat.channels.member(owner, wire.id), NotFound);
        await assert.rejects(chat.typing.start(owner, wire.id), NotFound);
        await assert.rejects(chat.messages.list(owner, wire.id, {}), NotFound);
        await assert.rejects(chat.messages.send(owner, wire.id, { content: "gone" }), NotFound);
      } finally {
        await opened.dispose();
      }
    },
  );
}
