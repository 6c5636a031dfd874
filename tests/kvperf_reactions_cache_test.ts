/**
 * db/kv/reactions.ts remembers a message's entries between its batches: two stores on one
 * file (two instances) must still agree, however the other changed them meanwhile.
 */
import assert from "node:assert/strict";
import { v7 as uuidv7 } from "uuid";
import { openKvStore } from "../db/kv/kv_store.ts";
import { ownedServer } from "./helpers/records.ts";

Deno.test("kv reactions - remembered entries never hide another instance's changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "salon-reactions-" });
  const a = await openKvStore(`${dir}/kv`);
  const b = await openKvStore(`${dir}/kv`);
  try {
    const { owner, general } = await ownedServer(a);
    const { message } = await a.appendMessage({
      id: uuidv7(),
      channelId: general.id,
      authorId: owner,
      content: "react",
      createdAt: new Date(),
      nonce: null,
      replyToId: null,
      mentions: { users: [], everyone: false },
    });
    const [u1, u2, u3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const count = async () =>
      (await a.reactionsOf([message.id], u1)).get(message.id)?.find((r) => r.emoji === "👍")
        ?.count ?? 0;
    const at = () => new Date();
    assert.equal(await a.addReaction(message.id, "👍", u1, at(), 20), true);
    // Taken back on the other instance: A's remembered entry says u1 still has it.
    assert.equal(await b.removeReaction(message.id, "👍", u1, at()), true);
    assert.equal(await a.addReaction(message.id, "👍", u1, at(), 20), true);
    assert.equal(await count(), 1);
    // Added on the other instance: A must not answer "already there" from what it knew.
    assert.equal(await a.removeReaction(message.id, "👍", u2, at()), false);
    assert.equal(await b.addReaction(message.id, "👍", u2, at(), 20), true);
    assert.equal(await a.addReaction(message.id, "👍", u2, at(), 20), false);
    assert.equal(await a.removeReaction(message.id, "👍", u2, at()), true);
    // Many at once on both, each toggled once: every one counted.
    await Promise.all([
      ...Array.from(
        { length: 20 },
        () => a.addReaction(message.id, "👍", crypto.randomUUID(), at(), 20),
      ),
      ...Array.from(
        { length: 20 },
        () => b.addReaction(message.id, "👍", crypto.randomUUID(), at(), 20),
      ),
    ]);
    assert.equal(await count(), 41);
    // Deleted on the other instance: gone here too.
    await b.deleteMessage(message.id);
    assert.equal(await a.addReaction(message.id, "👍", u3, at(), 20), null);
    assert.equal(await a.removeReaction(message.id, "👍", u1, at()), false);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});
