/**
 * `GET …/messages?around=<seq>&limit=L` on both stores (API.md "Precisions"): L messages with
 * the given seq at index ⌊L/2⌋ when both sides have enough, fewer at the channel's ends; and
 * a page with replies and reactions read in a constant number of store round trips.
 */
import assert from "node:assert/strict";
import { decorateMessages } from "../lib/conversations/decoration.ts";
import { appTest } from "./helpers/app_test.ts";
import { page, react, say } from "./helpers/conversations.ts";
import { assertError } from "./helpers/governance.ts";
import { room } from "./helpers/people.ts";

appTest("around - the page centred on a seq, fewer at the ends", async (app) => {
  const { channelId, owner, outsider } = await room(app);
  for (let i = 1; i <= 30; i++) await say(owner, channelId, `m${i}`);
  const seqs = async (query: string) => (await page(owner, channelId, query)).map((m) => m.seq);
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  assert.deepEqual(await seqs("?around=15&limit=10"), range(10, 19));
  assert.equal((await seqs("?around=15&limit=10"))[5], 15);
  assert.deepEqual(await seqs("?around=15&limit=11"), range(10, 20));
  assert.deepEqual(await seqs("?around=15&limit=1"), [15]);
  assert.deepEqual(await seqs("?around=2&limit=10"), range(1, 6));
  assert.deepEqual(await seqs("?around=29&limit=10"), range(24, 30));
  assert.deepEqual(await seqs("?around=1000&limit=4"), range(28, 30));
  assert.deepEqual(await seqs("?around=15"), range(1, 30)); // the default limit, 50
  assertError(
    await owner.http.json("GET", `/api/channels/${channelId}/messages?around=abc`),
    400,
    "invalid_cursor",
  );
  assertError(
    await outsider.http.json("GET", `/api/channels/${channelId}/messages?around=3`),
    404,
    "not_found",
  );
});

appTest("history pages - replies and reactions in constant round trips", async (app) => {
  const { channelId, owner, member } = await room(app);
  let previous = await say(owner, channelId, "root");
  for (let i = 0; i < 40; i++) {
    const message = await say(i % 2 ? owner : member, channelId, `m${i}`, {
      replyTo: previous.id,
    });
    if (i % 3 === 0) assert.equal(await react(member, message.id, "👍"), 204);
    previous = message;
  }
  // The decoration every page, replay and event goes through, over a store that counts calls.
  const store = app.testStore.store;
  const calls = new Map<string, number>();
  // Over an empty target: the test store is frozen (a proxy of it may not change its methods).
  const counting = new Proxy({} as typeof store, {
    get(_, name) {
      const value = Reflect.get(store, name);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return value.apply(store, args);
      };
    },
  });
  const count = async (limit: number) => {
    const records = await store.listMessages(channelId, { limit });
    calls.clear();
    const messages = await decorateMessages(counting, records, member.id);
    return { messages, calls: Object.fromEntries(calls) };
  };
  const small = await count(5);
  const large = await count(40);
  assert.equal(large.messages.length, 40);
  assert.ok(large.messages.every((m) => m.replyTo && "seq" in m.replyTo));
  assert.deepEqual(large.calls, small.calls);
  assert.deepEqual(Object.keys(large.calls).sort(), [
    "findMessages",
    "findUsersByIds",
    "pinsOf",
    "reactionsOf",
  ]);
  for (const n of Object.values(large.calls)) assert.equal(n, 1, JSON.stringify(large.calls));
  // And through the API the same page answers with its reactions.
  const read = await page(member, channelId, "?limit=40");
  assert.deepEqual(read.map((m) => m.reactions), large.messages.map((m) => m.reactions));
});
