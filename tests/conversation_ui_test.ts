/**
 * The conversation UI's pure parts: reactions applied from events (the reader's own `me` kept
 * from their own events, a fan-out copy's `me: false` not undoing it), the composer's `@` and
 * `:shortcode:` queries, and the emoji search.
 */
import assert from "node:assert/strict";
import { applyReaction, withOwnReactions } from "../islands/runtime/conversation.ts";
import { applyCompletion, matchMembers } from "../islands/runtime/completion.ts";
import { completionAt } from "../islands/runtime/completion_query.ts";
import { searchEmoji } from "../islands/runtime/emoji_data.ts";
import type { PickerEmoji } from "../islands/runtime/emoji_data.ts";
import type { WireMessage } from "../lib/realtime/protocol.ts";

const message: WireMessage = {
  id: "m1",
  channelId: "c1",
  seq: 1,
  author: { id: "u1", username: "ann", displayName: "Ann", avatarUrl: "/a" },
  content: "hi",
  createdAt: "2026-01-01T00:00:00.000Z",
  editedAt: null,
  reactions: [],
};

Deno.test("conversation ui - reactions from events, with the reader's own me", () => {
  let shown = applyReaction(message, "❤️", 1, true);
  assert.deepEqual(shown.reactions, [{ emoji: "❤", count: 1, me: true }], "canonical form");
  assert.equal(applyReaction(shown, "❤", 1, true), shown, "a repeated own event changes nothing");
  shown = applyReaction(shown, "❤", 1, false);
  assert.deepEqual(shown.reactions, [{ emoji: "❤", count: 2, me: true }]);
  shown = applyReaction(shown, "❤", -1, true);
  assert.deepEqual(shown.reactions, [{ emoji: "❤", count: 1, me: false }]);
  shown = applyReaction(shown, "❤", -1, false);
  assert.deepEqual(shown.reactions, []);
  assert.equal(applyReaction(shown, "👍", -1, true), shown, "nothing to remove");
});

Deno.test("conversation ui - a fan-out copy keeps me where the count is the same", () => {
  const shown = { ...message, reactions: [{ emoji: "👍", count: 2, me: true }] };
  const edit = { ...message, content: "hi!", reactions: [{ emoji: "👍", count: 2, me: false }] };
  assert.deepEqual(withOwnReactions(shown, edit).reactions, [{ emoji: "👍", count: 2, me: true }]);
  // A resume's copy (the count moved while away) is the reader's own answer: it wins.
  const resumed = { ...message, reactions: [{ emoji: "👍", count: 1, me: false }] };
  assert.deepEqual(withOwnReactions(shown, resumed).reactions, resumed.reactions);
});

Deno.test("conversation ui - @ and :shortcode: queries before the caret", () => {
  assert.deepEqual(completionAt("hi @an", 6), { kind: "mention", query: "an", start: 3 });
  assert.deepEqual(completionAt("@", 1), { kind: "mention", query: "", start: 0 });
  assert.equal(completionAt("mail a@b", 8), null, "an address is no mention");
  assert.deepEqual(completionAt("ok :thu", 7), { kind: "emoji", query: "thu", start: 3 });
  assert.equal(completionAt("at 10:3", 7), null, "a time is no shortcode");
  assert.equal(completionAt("ok :t", 5), null, "two letters at least");
  const query = completionAt("ok :thu later", 7)!;
  assert.deepEqual(applyCompletion("ok :thu later", 7, query, "👍"), {
    text: "ok 👍 later",
    caret: 6, // UTF-16, as a textarea counts: 👍 is two units
  });
  assert.deepEqual(applyCompletion("@an", 3, completionAt("@an", 3)!, "@anna"), {
    text: "@anna ",
    caret: 6,
  });
  const people = [
    { username: "bob", displayName: "Robert" },
    { username: "anna", displayName: "Anna" },
    { username: "joan", displayName: "Joan" },
  ];
  assert.deepEqual(matchMembers(people, "an", 5).map((p) => p.username), ["anna", "joan"]);
  assert.deepEqual(matchMembers(people, "rob", 5).map((p) => p.username), ["bob"]);
});

Deno.test("conversation ui - emoji search: shortcode, then name, then keyword", () => {
  const data: PickerEmoji[] = [
    ["😀", "grinning face", "grinning", "face smile"],
    ["👍", "thumbs up", "+1 thumbsup yes", "good hand like"],
    ["🎉", "party popper", "tada", "celebrate party"],
  ];
  assert.deepEqual(searchEmoji(data, "thumbsup").map(([e]) => e), ["👍"]);
  assert.deepEqual(searchEmoji(data, ":tada:").map(([e]) => e), ["🎉"]);
  assert.deepEqual(searchEmoji(data, "smile").map(([e]) => e), ["😀"]);
  assert.deepEqual(searchEmoji(data, "party").map(([e]) => e), ["🎉"]);
  assert.equal(searchEmoji(data, "").length, 3);
  assert.equal(searchEmoji(data, "", 2).length, 2);
});
